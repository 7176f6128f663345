// RiskModels: pure risk computation (written in later commits).
import MarketEvents
