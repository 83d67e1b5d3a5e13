"""An inventory service with typed concurrency keys: UUID, PurePath, a frozen dataclass, an enum, datetime, email."""
