/// The simulated market's volatility regime: the hidden state of a three-state Markov chain.
///
/// Each regime scales every symbol's volatility and sets the jump probability
/// (`SimulatorConfiguration.RegimeSettings`). The chain is birth–death: calm and stressed only move to
/// normal, normal moves to either; negative news can push the market straight into `stressed`.
public enum Regime: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case calm
    case normal
    case stressed

    public var description: String {
        switch self {
        case .calm: "calm"
        case .normal: "normal"
        case .stressed: "stressed"
        }
    }
}
