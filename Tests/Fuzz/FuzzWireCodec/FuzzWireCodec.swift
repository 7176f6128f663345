// The libFuzzer entry point for `checkWireCodec` (Sources/FuzzChecks), built only by Scripts/fuzz.sh
// (Package.swift declares this target only under RISKSTREAM_FUZZ).
//
// SwiftPM links an executable target's `main` as `<module>_main` on Linux, so libFuzzer's own `main`
// is never used: `FuzzWireCodec_main` hands the command line to libFuzzer's driver with the callback.
import FuzzChecks

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
    trapOnViolations(checkWireCodec(input), target: "wire_codec")
    return 0
}

@_cdecl("FuzzWireCodec_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, { data, size in fuzzOneInput(data, size) })
}

/// libFuzzer's driver (FuzzerDriver.cpp in the toolchain's libclang_rt.fuzzer): parses the flags, runs.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32
