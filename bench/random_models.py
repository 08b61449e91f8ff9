"""Random-weight Stable Diffusion inpainting pipelines and CLIP, built from configs in code.

Nothing is downloaded: the full-size SD 1.5 inpainting pipeline has the published
architecture (stable-diffusion-v1-5/stable-diffusion-inpainting's configs) for timing and
memory, the tiny ones the same structure at a few thousand parameters for tests.
The CLIP tokenizer is the 256 byte-level symbols with no merges: every text
tokenizes, one token per byte.
"""

from __future__ import annotations

# Stable Diffusion's noise schedule, as its scheduler configs publish it.
SD_BETAS = {"beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear"}


def byte_level_clip_tokenizer(max_length: int = 77) -> object:
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import CLIPTokenizer

    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for symbol in sorted(ByteLevel.alphabet()):
        vocab[symbol] = len(vocab)
        vocab[symbol + "</w>"] = len(vocab)
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=max_length)


def clip_text_config(full: bool, **overrides: object) -> object:
    """SD 1.5's text encoder (CLIP ViT-L/14's text tower), or a 2-layer miniature."""
    from transformers import CLIPTextConfig

    size = (
        {"hidden_size": 768, "intermediate_size": 3072, "num_attention_heads": 12}
        | {"num_hidden_layers": 12, "projection_dim": 768, "hidden_act": "quick_gelu"}
        if full
        else {"hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4}
        | {"num_hidden_layers": 2, "projection_dim": 32}
    )
    ids = {"vocab_size": 49408 if full else 600, "max_position_embeddings": 77}
    special = {"bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 1}
    return CLIPTextConfig(**(size | ids | special | overrides))


def vae(full: bool) -> object:
    from diffusers import AutoencoderKL

    channels = (128, 256, 512, 512) if full else (16, 32)
    return AutoencoderKL(
        block_out_channels=channels,
        down_block_types=("DownEncoderBlock2D",) * len(channels),
        up_block_types=("UpDecoderBlock2D",) * len(channels),
        layers_per_block=2 if full else 1,
        latent_channels=4,
        norm_num_groups=32 if full else 8,
        sample_size=512 if full else 64,
    )


def inpaint_unet(full: bool, **overrides: object) -> object:
    """9 input channels (latents, mask, masked-image latents): a real inpainting UNet."""
    from diffusers import UNet2DConditionModel

    shape = (
        {"block_out_channels": (320, 640, 1280, 1280), "layers_per_block": 2}
        | {"sample_size": 64, "cross_attention_dim": 768, "attention_head_dim": 8}
        if full
        else {"block_out_channels": (16, 32), "layers_per_block": 1, "sample_size": 32}
        | {"cross_attention_dim": 32, "attention_head_dim": 4, "norm_num_groups": 8}
        | {"down_block_types": ("DownBlock2D", "CrossAttnDownBlock2D")}
        | {"up_block_types": ("CrossAttnUpBlock2D", "UpBlock2D")}
    )
    return UNet2DConditionModel(**(shape | {"in_channels": 9, "out_channels": 4} | overrides))


def sd15_inpaint_pipeline(full: bool) -> object:
    """An SD 1.5 inpainting pipeline with random weights (512 px full size, 64 px tiny)."""
    import torch
    from diffusers import PNDMScheduler, StableDiffusionInpaintPipeline
    from transformers import CLIPTextModel

    torch.manual_seed(0)
    return StableDiffusionInpaintPipeline(
        vae=vae(full),
        text_encoder=CLIPTextModel(clip_text_config(full)),
        tokenizer=byte_level_clip_tokenizer(),
        unet=inpaint_unet(full),
        scheduler=PNDMScheduler(
            **SD_BETAS, skip_prk_steps=True, steps_offset=1, set_alpha_to_one=False
        ),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


def tiny_sdxl_inpaint_pipeline() -> object:
    """An SDXL inpainting pipeline in miniature: two text encoders, micro-conditioning."""
    import torch
    from diffusers import EulerDiscreteScheduler, StableDiffusionXLInpaintPipeline
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(0)
    unet = inpaint_unet(
        full=False,
        cross_attention_dim=64,  # both encoders' hidden states side by side
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        projection_class_embeddings_input_dim=6 * 8 + 32,  # six size/crop ids + pooled text
        use_linear_projection=True,
    )
    return StableDiffusionXLInpaintPipeline(
        vae=vae(full=False),
        text_encoder=CLIPTextModel(clip_text_config(full=False)),
        text_encoder_2=CLIPTextModelWithProjection(clip_text_config(full=False)),
        tokenizer=byte_level_clip_tokenizer(),
        tokenizer_2=byte_level_clip_tokenizer(),
        unet=unet,
        scheduler=EulerDiscreteScheduler(**SD_BETAS, steps_offset=1),
        requires_aesthetics_score=False,
    )


def tiny_clip() -> tuple[object, object]:
    """A random CLIP model and its processor (32 px images)."""
    import torch
    from transformers import (
        CLIPConfig,
        CLIPImageProcessor,
        CLIPModel,
        CLIPProcessor,
        CLIPVisionConfig,
    )

    torch.manual_seed(0)
    vision = CLIPVisionConfig(
        hidden_size=32,
        intermediate_size=37,
        num_attention_heads=4,
        num_hidden_layers=2,
        image_size=32,
        patch_size=8,
        projection_dim=32,
    )
    text = clip_text_config(full=False)
    config = CLIPConfig(
        text_config=text.to_dict(), vision_config=vision.to_dict(), projection_dim=32
    )
    image_processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size=32)
    tokenizer = byte_level_clip_tokenizer()
    return CLIPModel(config), CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer)


def tiny_segmentation_onnx(path: object, side: int = 1024) -> None:
    """A segmentation model file with the interface of rembg's 1024 px sessions (ISNet,
    BiRefNet): one image input `input_image` (1×3×side×side) and a mask output
    (1×1×side×side), here the channels' mean — brighter is "more product"."""
    import onnx
    from onnx import TensorProto, helper

    image = helper.make_tensor_value_info("input_image", TensorProto.FLOAT, [1, 3, side, side])
    mask = helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, side, side])
    mean = helper.make_node("ReduceMean", ["input_image"], ["mask"], axes=[1], keepdims=1)
    graph = helper.make_graph([mean], "tiny_segmentation", [image], [mask])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8  # readable by every onnxruntime this project supports
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
