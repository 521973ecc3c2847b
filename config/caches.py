"""The cache settings for Redis, shared by the settings and the outage tests."""


def redis_caches(url: str, *, timeout: float) -> dict:
    """The cache fails open: with Redis down or hung a read is a miss after ``timeout`` seconds
    and a write is dropped, so every page still serves from the database."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": timeout,
                "SOCKET_TIMEOUT": timeout,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
