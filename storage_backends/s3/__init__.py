from storage_backends.s3.backend import S3Backend

__all__ = ["S3Backend"]
