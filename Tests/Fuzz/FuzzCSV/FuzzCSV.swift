// The libFuzzer entry point for FuzzTarget.csv (see Sources/FuzzChecks). Built only by Scripts/fuzz.sh:
// no `main` here, libFuzzer's runtime supplies it (Package.swift declares this target under RISKSTREAM_FUZZ).
import FuzzChecks

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    trapOnViolations(FuzzTarget.csv.check(input), target: .csv)
    return 0
}
