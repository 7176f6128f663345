/// The demo's pipeline, built into the binary so `riskstream` runs with no files. It is the text of
/// Pipelines/demo.yaml (a test keeps the two identical).
enum DemoPipeline {
    static let yaml = """
        # The embedded demo's pipeline: the engine on the built-in simulator's stream.
        # Thresholds suit its simulated market: calm symbols run at 20-60 % annualised, stress at 100-300 %.
        name: demo
        ingest:
          topics: [tick., news., position.]
          ring_capacity: 65536
          when_full: drop_oldest
        symbols:
          max: 64
          window: 256
        data_quality:
          stale_after_ms: 2000
          jump_sigmas: 10
          cooldown_ms: 2000
        volatility:
          lambda: 0.99
          warm_up: 50
          warning: 1.1
          critical: 1.8
          hysteresis: 0.15
          cooldown_ms: 1500
        publish:
          endpoint: tcp://127.0.0.1:*
          heartbeat_ms: 1000
          risk_snapshot_ms: 500

        """
}
