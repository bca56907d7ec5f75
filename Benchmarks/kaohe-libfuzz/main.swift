import Foundation
import KaoheBench

// The parsers' fuzz targets under libFuzzer (coverage-guided; docs/fuzzing.md). Built only by
// `Benchmarks/libfuzz.sh`, with `-sanitize=fuzzer -DKAOHE_LIBFUZZER`; in any other build it can
// write seeds but not fuzz.
//
//   kaohe-libfuzz TARGET --seeds DIR            write TARGET's seed corpus into DIR
//   kaohe-libfuzz TARGET [libFuzzer flags] DIR  fuzz TARGET (xlsx, csv, expression, scheme, log)

let args = CommandLine.arguments
func fail(_ s: String) -> Never {
    FileHandle.standardError.write(Data((s + "\n").utf8))
    exit(2)
}
guard args.count >= 2, LibFuzzer.targets.contains(args[1]) else {
    fail("usage: kaohe-libfuzz \(LibFuzzer.targets.joined(separator: "|")) (--seeds DIR | [libFuzzer flags] CORPUS_DIR)")
}
guard let target = LibFuzzer.target(args[1]) else { fail("unknown target \(args[1])") }

if args.count == 4, args[2] == "--seeds" {
    do {
        let n = try target.writeSeeds(to: args[3])
        print("\(n) \(target.name) seeds written to \(args[3])")
        exit(0)
    } catch {
        fail("cannot write seeds to \(args[3]): \(error)")
    }
}

#if KAOHE_LIBFUZZER
nonisolated(unsafe) var current: LibFuzzerTarget = target

typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: TestOneInput) -> CInt

// libFuzzer sees the program name and everything after the target
var forward: [UnsafeMutablePointer<CChar>?] = [CommandLine.unsafeArgv[0]]
for k in 2..<Int(CommandLine.argc) { forward.append(CommandLine.unsafeArgv[k]) }
forward.append(nil)
var argc = CInt(forward.count - 1)
let argv = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: forward.count)
argv.initialize(from: forward, count: forward.count)
var argvRef = argv
exit(LLVMFuzzerRunDriver(&argc, &argvRef) { data, size in
    guard let data else { return 0 }
    current.run(UnsafeBufferPointer(start: data, count: size))
    return 0
})
#else
fail("kaohe-libfuzz was built without libFuzzer: build it with Benchmarks/libfuzz.sh")
#endif
