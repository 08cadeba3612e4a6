import Foundation
import Logging
import Testing

@testable import Daemon

@Suite("Crash points: armed only by name, refused when unknown")
struct CrashPointsTests {
    let logger = Logger(label: "test")

    @Test("nothing is armed without the variable; a known name with a hit count, or alone for the first hit, is armed")
    func armed() throws {
        #expect(!(try CrashPoints(environment: [:], logger: logger)).isArmed("claim.moved"))
        #expect(!(try CrashPoints(environment: ["FACEDROP_CRASH_POINT": ""], logger: logger)).isArmed("claim.moved"))
        let second = try CrashPoints(environment: ["FACEDROP_CRASH_POINT": "claim.moved:2"], logger: logger)
        #expect(second.isArmed("claim.moved") && !second.isArmed("claim.journaled"))
        // Reached once: the second hit is the armed one, so the process lives on.
        second.reach("claim.moved", job: "first")
        second.reach("claim.journaled", job: "other")
        #expect(try CrashPoints(environment: ["FACEDROP_CRASH_POINT": "submit.intent"], logger: logger).isArmed("submit.intent"))
    }

    @Test(
        "an unknown name, a hit count below one or not a number is refused, naming every known point",
        arguments: ["claim.movd", "claim.moved:0", "claim.moved:x", "claim.moved:1:2", ":1"]
    )
    func refused(value: String) {
        #expect {
            try CrashPoints(environment: ["FACEDROP_CRASH_POINT": value], logger: logger)
        } throws: { error in
            let text = "\(error)"
            return text.contains(value) && CrashPoints.all.allSatisfy { text.contains($0) }
        }
    }

    @Test("the points are distinct, and each is reached somewhere in the daemon's sources")
    func everyPointIsUsed() throws {
        #expect(Set(CrashPoints.all).count == CrashPoints.all.count)
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Daemon")
        var text = ""
        for file in try FileManager.default.contentsOfDirectory(atPath: sources.path) where file.hasSuffix(".swift") && file != "CrashPoints.swift" {
            text += try String(contentsOfFile: sources.appendingPathComponent(file).path, encoding: .utf8)
        }
        for point in CrashPoints.all {
            #expect(text.contains("reach(\"\(point)\""), "\(point) is listed but never reached")
        }
    }
}
