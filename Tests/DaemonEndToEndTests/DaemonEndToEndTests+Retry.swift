import FacedropTestSupport
import Foundation
import SegmindEmulator
import StrictJSON
import Testing

/// Retry: a failed job's folder moved into `retry/` (by `facedrop retry` or by hand) is queued again from its own
/// `input/`, as a new attempt whose record keeps the earlier error; `outcome_unknown` only with --may-pay-twice.
extension DaemonEndToEndTests {
    /// A sidecar whose prompt makes the emulator fail the generation.
    static let failingSidecar = #"{"model":"flux-pulid","prompt":"a portrait emulator:fail","width":256,"height":256,"output_format":"jpg"}"#

    /// Mends the sidecar kept in a failed job's `input/`: the prompt no longer asks the emulator to fail.
    func mendSidecar(_ daemon: DaemonHarness, job: String) throws {
        let path = "\(daemon.jobFolder(.failed, job))/input/\(job).json"
        try Data(Self.fluxSidecar.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test("facedrop retry: a failed job, its sidecar mended in failed/, is sent again as attempt 2 with the earlier error kept")
    func retryFailedJob() async throws {
        try await withDaemon { server, daemon in
            try daemon.dropJob("wrong", sidecar: Self.failingSidecar)
            try await daemon.waitFor("the job failed") { daemon.jobs(.failed) == ["wrong"] }
            let firstCode = try daemon.record(.failed, "wrong")["code"]?.stringValue
            #expect(firstCode != nil)
            try mendSidecar(daemon, job: "wrong")
            let (retry, text) = try await daemon.runCommand(["retry", "--config", daemon.configPath, "wrong"])
            #expect(retry.status == 0, "\(text)")
            #expect(text.contains("queued    wrong"), "\(text)")
            try await daemon.waitFor("the retried job done", timeout: .seconds(30)) { daemon.jobs(.done) == ["wrong"] }
            let result = try daemon.record(.done, "wrong")
            #expect(result["attempt"]?.intValue == 2)
            #expect(result["previous_attempt"]?["code"]?.stringValue == firstCode)
            #expect(result["previous_attempt"]?["attempt"]?.intValue == 1)
            #expect(daemon.jobs(.failed).isEmpty, "the failed folder went into retry/ and was used up")
            #expect(await server.ledger().billedSubmits == 2)
            #expect(daemon.log.contains("queued again from the retry folder"))
            let (again, againText) = try await daemon.runCommand(["retry", "--config", daemon.configPath, "wrong"])
            #expect(again.status == 1, "\(againText)")
            #expect(againText.contains("not failed or cancelled") || againText.contains("retried already"), "\(againText)")
            await daemon.expectClean()
        }
    }

    @Test("moving failed/<job> into retry/ by hand does the same; --code retries every job failed with a code")
    func retryByHandAndByCode() async throws {
        try await withDaemon { server, daemon in
            for name in ["hand", "code-1", "code-2"] { try daemon.dropJob(name, sidecar: Self.failingSidecar) }
            try await daemon.waitFor("three jobs failed") { daemon.jobs(.failed).count == 3 }
            for name in ["hand", "code-1", "code-2"] { try mendSidecar(daemon, job: name) }
            try FileManager.default.moveItem(atPath: daemon.jobFolder(.failed, "hand"), toPath: "\(daemon.outbox)/retry/hand")
            try await daemon.waitFor("the job moved by hand done", timeout: .seconds(30)) { daemon.jobs(.done) == ["hand"] }
            let code = try #require(try daemon.record(.failed, "code-1")["code"]?.stringValue)
            let (retry, text) = try await daemon.runCommand(["retry", "--config", daemon.configPath, "--code", code, "--json"])
            #expect(retry.status == 0, "\(text)")
            #expect(try JSONParser().parse(Array(text.utf8))["queued"]?.intValue == 2, "\(text)")
            try await daemon.waitFor("every job done", timeout: .seconds(30)) { daemon.jobs(.done).count == 3 }
            #expect(await server.ledger().billedSubmits == 6)
            #expect(try daemon.record(.done, "code-2")["attempt"]?.intValue == 2)
            await daemon.expectClean()
        }
    }

    @Test("a removed retry/ folder is made again and watched: a failed job moved into it afterwards is queued at once")
    func removedRetryFolderComesBack() async throws {
        try await withDaemon { server, daemon in
            try daemon.dropJob("again", sidecar: Self.failingSidecar)
            try await daemon.waitFor("the job failed") { daemon.jobs(.failed) == ["again"] }
            try mendSidecar(daemon, job: "again")
            let retry = "\(daemon.outbox)/retry"
            try FileManager.default.removeItem(atPath: retry)
            try await daemon.waitFor("retry/ made again", timeout: .seconds(20)) { FileManager.default.fileExists(atPath: retry) }
            // The folder the daemon made is watched (and looked through once the watch is in place, so nothing moved
            // in before is missed): the job is taken within seconds, not at the five-minute rescan.
            try FileManager.default.moveItem(atPath: daemon.jobFolder(.failed, "again"), toPath: "\(retry)/again")
            try await daemon.waitFor("the retried job done", timeout: .seconds(30)) { daemon.jobs(.done) == ["again"] }
            #expect(await server.ledger().billedSubmits == 2)
            await daemon.expectClean()
        }
    }

    @Test("outcome_unknown is never retried without --may-pay-twice: a folder moved by hand goes back to failed/ with a warning")
    func retryOutcomeUnknownNeedsConsent() async throws {
        try await withDaemon(startDaemon: false) { server, daemon in
            daemon.environment["FACEDROP_CRASH_POINT"] = "submit.answered"
            try await daemon.start()
            try daemon.dropJob("unsure", sidecar: Self.fluxSidecar)
            let killed = await daemon.waitForExit(within: .seconds(30))
            #expect(killed?.signalled == true, "the crash point was not reached: \(String(describing: killed))")
            daemon.environment["FACEDROP_CRASH_POINT"] = nil
            try await daemon.start()
            try await daemon.waitFor("the job failed as an unknown outcome") { daemon.jobs(.failed) == ["unsure"] }
            #expect(try daemon.record(.failed, "unsure")["code"]?.stringValue == "outcome_unknown")

            let (refused, refusedText) = try await daemon.runCommand(["retry", "--config", daemon.configPath, "unsure"])
            #expect(refused.status == 1, "\(refusedText)")
            #expect(refusedText.contains("--may-pay-twice"), "\(refusedText)")
            try FileManager.default.moveItem(atPath: daemon.jobFolder(.failed, "unsure"), toPath: "\(daemon.outbox)/retry/unsure")
            try await daemon.waitFor("the folder back in failed/ with a warning") {
                daemon.jobs(.failed) == ["unsure"] && !daemon.warnings(endingWith: "-retry-refused.json").isEmpty
            }
            #expect(await server.ledger().billedSubmits == 1)

            let (allowed, allowedText) = try await daemon.runCommand(["retry", "--config", daemon.configPath, "--may-pay-twice", "unsure"])
            #expect(allowed.status == 0, "\(allowedText)")
            try await daemon.waitFor("the job done after the allowed retry", timeout: .seconds(30)) { daemon.jobs(.done) == ["unsure"] }
            #expect(try daemon.record(.done, "unsure")["previous_attempt"]?["code"]?.stringValue == "outcome_unknown")
            #expect(await server.ledger().billedSubmits == 2)
        }
    }
}
