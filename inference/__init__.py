"""The image library: cut-outs, the studio and diffusion engines, product labels.

Only this package imports torch, diffusers, transformers, rembg and onnxruntime. The
library (everything here but `inference.worker`) knows nothing of queues or
databases, so the command line and the benchmarks use it alone; `inference.worker`
is the service that feeds it jobs.
"""
