from storage_backends.cloudflare.backend import CloudflareStreamBackend

__all__ = ["CloudflareStreamBackend"]
