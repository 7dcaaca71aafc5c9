"""The reporting service: a read model of facts per China day × region × category × funding
source, fed only by the other services' events, and the supervisor series built on it."""
