// RiskEngine: threads, rings, pipeline, ingest and publishing (written in later commits).
import ZeroMQ
