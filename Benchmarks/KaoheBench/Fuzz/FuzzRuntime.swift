import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// What the fuzzer keeps around an execution: the crash note a signal handler prints, the peak
// memory, and a watchdog that ends the run when an execution hangs or eats all memory (an
// in-process fuzzer cannot interrupt a parser; it can only say which input it was).

/// The note printed when the process dies inside an execution: target, seed, iteration, input
/// kind and the command that replays it. Set once per target; per execution only `iteration`,
/// `kind` and `started` change (plain stores, nothing allocated).
enum CrashNote {
    nonisolated(unsafe) static var text = UnsafeMutablePointer<UInt8>.allocate(capacity: 1024)
    nonisolated(unsafe) static var textCount = 0
    nonisolated(unsafe) static var replay = UnsafeMutablePointer<UInt8>.allocate(capacity: 1024)
    nonisolated(unsafe) static var replayCount = 0
    nonisolated(unsafe) static var digits = UnsafeMutablePointer<UInt8>.allocate(capacity: 32)
    /// Current iteration, −1 outside an execution.
    nonisolated(unsafe) static var iteration = -1
    nonisolated(unsafe) static var kind: StaticString = "-"
    /// Monotonic start of the current execution in nanoseconds; 0 between executions.
    nonisolated(unsafe) static var started: UInt64 = 0
    nonisolated(unsafe) static var previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    nonisolated(unsafe) static var installed = false

    /// `…in target xlsx (seed 42) at iteration ` and `reproduce: kaohe fuzz --target xlsx --replay 42:`.
    static func set(target: String, seed: UInt64, command: String) {
        copy(" in target \(target) (seed \(seed)) at iteration ", into: text, count: &textCount)
        copy(" — reproduce: \(command) --target \(target) --replay \(seed):", into: replay, count: &replayCount)
    }

    private static func copy(_ s: String, into p: UnsafeMutablePointer<UInt8>, count: inout Int) {
        var n = 0
        for u in s.utf8 where n < 1023 { p[n] = u; n += 1 }
        count = n
    }

    /// Async-signal-safe: write(2) only, no allocation, no locks.
    static func write(reason: StaticString, signal: Int32 = 0) {
        guard iteration >= 0 else { return }
        put("\nkaohe fuzz: ")
        put(reason)
        if signal != 0 { put(" (signal "); putInt(Int(signal)); put(")") }
        _ = rawWrite(2, text, textCount)
        putInt(iteration)
        put(", input ")
        put(kind)
        _ = rawWrite(2, replay, replayCount)
        putInt(iteration)
        put("\n")
    }

    private static func put(_ s: StaticString) { _ = rawWrite(2, s.utf8Start, s.utf8CodeUnitCount) }

    private static func putInt(_ v: Int) {
        var x = v < 0 ? 0 : v, n = 0
        repeat { digits[31 - n] = UInt8(48 + x % 10); x /= 10; n += 1 } while x > 0 && n < 31
        _ = rawWrite(2, digits + (32 - n), n)
    }

    /// Installs the handler for the signals a crash raises (Swift traps are SIGILL or SIGTRAP,
    /// stack overflow SIGSEGV on the alternate stack). The handler prints the note, puts the
    /// previous handler back and returns: the faulting instruction runs again and the previous
    /// handler (Swift's backtracer) or the default action ends the process as before.
    static func install() {
        _ = text; _ = replay; _ = digits; _ = previous; _ = kind; _ = started   // initialise the globals now, not in the handler
        guard !installed else { return }
        installed = true
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
            var action = sigaction()
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_ONSTACK
            #if canImport(Darwin)
            action.__sigaction_u = .init(__sa_handler: fuzzCrashHandler)
            #else
            action.__sigaction_handler = .init(sa_handler: fuzzCrashHandler)
            #endif
            sigaction(sig, &action, previous + Int(sig))
        }
    }

    /// An alternate signal stack for the calling thread, so that a stack overflow can still be reported.
    static func installAlternateStack() {
        let size = 256 * 1024
        var ss = stack_t()
        ss.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        ss.ss_size = size
        ss.ss_flags = 0
        sigaltstack(&ss, nil)
    }
}

private func fuzzCrashHandler(_ signal: Int32) {
    CrashNote.write(reason: "CRASH", signal: signal)
    sigaction(signal, CrashNote.previous + Int(signal), nil)
}

/// write(2) under a name that `CrashNote.write` does not hide.
@inline(__always) func rawWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    write(fd, p, n)
}

/// Peak and current resident memory. On Linux the peak is `VmHWM` of /proc/self/status (read with
/// pread on a file kept open: no allocation per execution) and can be reset between targets
/// through /proc/self/clear_refs; elsewhere `ru_maxrss`, which cannot be reset.
final class MemoryProbe {
    private var status: Int32 = -1
    private let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 8192)

    init() {
        #if os(Linux)
        status = open("/proc/self/status", O_RDONLY)
        #endif
    }

    deinit {
        if status >= 0 { close(status) }
        buffer.deallocate()
    }

    /// Peak resident set size in KiB.
    func peakKiB() -> Int {
        if let v = field("VmHWM:") { return v }
        var usage = rusage()
        #if canImport(Darwin)
        getrusage(RUSAGE_SELF, &usage)
        return Int(usage.ru_maxrss) / 1024      // bytes on Darwin
        #else
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss)             // KiB on Linux
        #endif
    }

    /// Current resident set size in KiB (nil where /proc is not available).
    func currentKiB() -> Int? { field("VmRSS:") }

    /// Sets the peak back to the current size (Linux); false when that is not possible.
    @discardableResult
    static func resetPeak() -> Bool {
        #if os(Linux)
        let fd = open("/proc/self/clear_refs", O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var five = UInt8(ascii: "5")
        return write(fd, &five, 1) == 1
        #else
        return false
        #endif
    }

    private func field(_ name: StaticString) -> Int? {
        guard status >= 0 else { return nil }
        let n = pread(status, buffer, 8191, 0)
        guard n > 0 else { return nil }
        let key = name.utf8Start, keyCount = name.utf8CodeUnitCount
        var i = 0
        while i + keyCount < n {
            // names start lines
            if (i == 0 || buffer[i - 1] == 10) && memcmp(buffer + i, key, keyCount) == 0 {
                var k = i + keyCount, v = 0, seen = false
                while k < n && (buffer[k] == 32 || buffer[k] == 9) { k += 1 }
                while k < n && buffer[k] >= 48 && buffer[k] <= 57 { v = v * 10 + Int(buffer[k] - 48); k += 1; seen = true }
                return seen ? v : nil
            }
            i += 1
        }
        return nil
    }
}

/// Ends the process when an execution runs longer than `hangMs` or the process grows beyond
/// `hardRSSMB`: a hang cannot be interrupted in process, and the kernel's OOM killer would say
/// nothing about the input. Prints the crash note (with the replay command) and exits 1.
enum Watchdog {
    static func start(hangMs: Int, hardRSSMB: Int) {
        let hangNs = UInt64(Swift.max(1, hangMs)) * 1_000_000
        let hardKiB = Swift.max(1, hardRSSMB) * 1024
        let thread = Thread {
            let probe = MemoryProbe()
            while true {
                usleep(50_000)
                let started = CrashNote.started
                guard started != 0 else { continue }
                let now = DispatchTime.now().uptimeNanoseconds
                if now > started && now - started > hangNs {
                    CrashNote.write(reason: "HANG (execution still running after the --hang-ms limit; run stopped)")
                    _exit(1)
                }
                if let rss = probe.currentKiB(), rss > hardKiB {
                    CrashNote.write(reason: "MEMORY (resident memory above the --hard-rss-mb limit; run stopped)")
                    _exit(1)
                }
            }
        }
        thread.name = "kaohe-fuzz-watchdog"
        thread.start()
    }
}

/// Runs `body` on a thread with a known stack size (the same for `kaohe fuzz` and `kaohe-bench
/// fuzz`, whatever thread ArgumentParser runs commands on) and waits for it.
func runOnFuzzThread<T>(stackKiB: Int, _ body: @escaping () -> T) -> T {
    let box = FuzzThreadBox<T>(body)
    let thread = Thread {
        CrashNote.installAlternateStack()
        box.result = box.body()
        box.done.signal()
    }
    thread.stackSize = Swift.max(64, stackKiB) * 1024
    thread.name = "kaohe-fuzz"
    thread.start()
    box.done.wait()
    return box.result!
}

/// Hands the work to the fuzz thread and the result back (the caller waits, so nothing is shared
/// while both run).
final class FuzzThreadBox<T>: @unchecked Sendable {
    let body: () -> T
    var result: T?
    let done = DispatchSemaphore(value: 0)
    init(_ body: @escaping () -> T) { self.body = body }
}
