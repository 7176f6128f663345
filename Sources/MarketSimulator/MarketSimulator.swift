// MarketSimulator: the seeded market simulator (written in a later commit).
import MarketEvents
