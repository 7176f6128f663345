/// The demo's pipeline, built into the binary so `riskstream` runs with no files. It is the text of
/// Pipelines/demo.yaml (a test keeps the two identical).
enum DemoPipeline {
    static let yaml = """
        # The embedded demo's pipeline: the engine on the built-in simulator's stream.
        # Thresholds suit its simulated market: calm symbols run at 15-60 % annualised, stress at 80-300 %.
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
          warning: 0.6
          critical: 1.2
          hysteresis: 0.2
          cooldown_ms: 5000
        publish:
          endpoint: tcp://127.0.0.1:*
          snapshot_endpoint: tcp://127.0.0.1:*
          heartbeat_ms: 1000
          risk_snapshot_ms: 500
        learning:
          reference_symbol: SPX
          horizon_events: 50
          drive: best
          models:
            - {name: sgd, kind: sgd}
            - {name: arf, kind: arf, trees: 5}
        risk:
          confidence: 0.99
          # A demo runs minutes, not days: VaR over 1 minute and 1 hour, the variance sampled every 2 s with
          # a five-minute half-life, warm after 30 s (no volatility or VaR before).
          horizons_s: [60, 3600]
          variance: {sampling_s: 2, half_life_s: 300, warm_up_samples: 15}
          # The simulator's jumps give fat tails: Student-t VaR (see the README's backtest table).
          var_method: t
          # Volatility alerts follow the realised (time-grid) estimate; snapshots show the learned forecast
          # whenever a model's rolling error beats the EWMA's.
          volatility_source: ewma
          drawdown: {warning: 0.02, critical: 0.05}
          liquidity: {warning: 3, critical: 5, hysteresis: 0.3, cooldown_ms: 5000}
          news_shock: {warning: 0.5, critical: 1.2, hysteresis: 0.5, cooldown_ms: 2000}
          news_half_life_s: 20
        hedging:
          # The simulated desk (DESK-A, DESK-B) reports positions of up to 5 M notional; DESK-A's appetite
          # is tighter, so it is told to hedge more often.
          default_limits: {var: 300000, volatility_notional: 4000000}
          accounts:
            DESK-A: {var: 150000, volatility_notional: 2500000}
            DESK-B: {var: 400000, volatility_notional: 5000000, portfolio_var: 600000}
          # Ticks arrive at wall-clock pace: a quarter-second return interval gives the betas enough samples.
          beta_interval_ms: 250
          min_r_squared: 0.2

        """
}
