import Foundation
var t0 = Date()
var acc: Int128 = 0
for i in 0..<1_000_000 { let a = Int128(i % 97) * 1_000_000; acc &+= (a * 300_000) / 1_000_000 / 7  }
print("i128", acc, Date().timeIntervalSince(t0))
