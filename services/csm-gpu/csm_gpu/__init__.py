"""CSM-1B inference service: FastAPI front, batched step scheduler, Hugging Face transformers model."""

__version__ = "0.1.0"
