# An inference worker for NVIDIA GPUs: Python 3.11, torch 2.13.0 built for CUDA 13.0 (the
# torch of pytorch/pytorch:2.13.0-cuda13.0-cudnn9-runtime, from the same wheel index; that
# image itself ships Python 3.12, which Vitrina does not run on) and onnxruntime-gpu built for
# CUDA 13 and cuDNN 9. CUDA and cuDNN arrive as NVIDIA's pip wheels with torch: the host needs
# only the NVIDIA driver (580 or newer for CUDA 13) and the NVIDIA Container Toolkit.

FROM python:3.11-slim AS wheel
WORKDIR /src
COPY . .
RUN pip wheel --no-deps --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MODELS_DIR=/models HF_HOME=/models/hf
# gcc: Triton compiles small launchers when torch.compile runs (DIFFUSION_COMPILE=true).
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
# torch first and in a layer of its own: gigabytes that change only with the pin.
RUN pip install --index-url https://download.pytorch.org/whl/cu130 torch==2.13.0
COPY --from=wheel /wheels /tmp/wheels
# The constraint holds the CUDA build of torch: pip fails rather than swap it for another.
# The check after it fails the build if torch lost CUDA or the CPU onnxruntime came in.
RUN echo "torch==$(python -c 'import torch; print(torch.__version__)')" > /tmp/torch.txt \
 && pip install --constraint /tmp/torch.txt "$(ls /tmp/wheels/vitrina-*.whl)[worker-gpu]" \
 && python -c "import onnxruntime, torch; \
assert torch.version.cuda, torch.__version__; \
assert 'CUDAExecutionProvider' in onnxruntime.get_available_providers(), onnxruntime.__file__" \
 && rm -rf /tmp/wheels /tmp/torch.txt
# u2netp for the cut-outs, placed now so a worker never downloads it. docker-compose.yml
# mounts a named volume at /models, which Docker fills from here when it is new; the
# diffusion and CLIP weights go there too (HF_HOME).
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/vitrina vitrina \
 && python -m inference.segmentation.fetch_u2netp /models \
 && chown -R vitrina:vitrina /models
USER vitrina
WORKDIR /home/vitrina
ENTRYPOINT ["vitrina"]
CMD ["worker"]
