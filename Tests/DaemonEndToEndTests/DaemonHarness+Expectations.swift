import FacedropTestSupport
import Foundation
import Hashing
import ImageFormats
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

/// The checks most tests share: a job finished properly, each job ended exactly once, each was paid once.
extension DaemonHarness {
    /// Checks a job in `done/`: its record, real images whose embedded trace names its request, model and
    /// face (and pose), and `input/` holding exactly the dropped files. Returns the request ID.
    @discardableResult
    func expectDone(
        _ dropped: DroppedJob,
        model: String,
        pose: [UInt8]? = nil,
        outbox: Int = 0,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String? {
        let job = dropped.outboxPath
        let record = try record(.done, job, outbox: outbox)
        #expect(record["model"]?.stringValue == model, "\(job)", sourceLocation: sourceLocation)
        #expect(record["job"]?.stringValue == dropped.stem, sourceLocation: sourceLocation)
        let requestID = record["request_id"]?.stringValue
        #expect(requestID?.isEmpty == false, "\(job) has no request_id", sourceLocation: sourceLocation)
        #expect(record["claim_id"]?.stringValue?.isEmpty == false, "\(job) has no claim_id", sourceLocation: sourceLocation)
        #expect(record["timings"]?["submitted"]?.stringValue != nil, "\(job): \(record["timings"] ?? .null)", sourceLocation: sourceLocation)
        #expect(record["timings"]?["completed"]?.stringValue != nil, sourceLocation: sourceLocation)
        let faceHash = SHA256.hash(dropped.files[dropped.face] ?? []).hex
        let outputs = record["outputs"]?.arrayValue ?? []
        #expect(!outputs.isEmpty, "\(job) has no outputs", sourceLocation: sourceLocation)
        for (offset, output) in outputs.enumerated() {
            let file = try #require(output["file"]?.stringValue, sourceLocation: sourceLocation)
            #expect(file.hasPrefix("\(dropped.stem)-\(offset + 1)."), sourceLocation: sourceLocation)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(jobFolder(.done, job, outbox: outbox))/\(file)")))
            let info = try ImageVerifier.verify(bytes)
            #expect(output["content_type"]?.stringValue == info.format.contentType, sourceLocation: sourceLocation)
            #expect(output["sha256"]?.stringValue == SHA256.hash(bytes).hex, sourceLocation: sourceLocation)
            let trace = try #require(ImageTrace.read(from: bytes), "\(job)/\(file) carries no trace", sourceLocation: sourceLocation)
            #expect(trace.requestID == requestID, sourceLocation: sourceLocation)
            #expect(trace.model == model, sourceLocation: sourceLocation)
            #expect(trace.faceSHA256 == faceHash, "\(job)/\(file) was not generated from the dropped face", sourceLocation: sourceLocation)
            #expect(trace.index == offset, sourceLocation: sourceLocation)
            if let pose {
                #expect(trace.poseSHA256 == SHA256.hash(pose).hex, "\(job)/\(file) was not generated from the pose", sourceLocation: sourceLocation)
            }
        }
        let inputs = inputs(.done, job, outbox: outbox)
        #expect(inputs.keys.sorted() == dropped.files.keys.sorted(), "\(job)/input", sourceLocation: sourceLocation)
        for (name, bytes) in dropped.files {
            #expect(inputs[name] == bytes, "\(job)/input/\(name) differs from what was dropped", sourceLocation: sourceLocation)
        }
        return requestID
    }

    /// Checks a job in `failed/`: its code, a hint, and its inputs. Returns `error.json`.
    @discardableResult
    func expectFailed(
        _ job: String,
        code: String,
        dropped: [String]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> JSONValue {
        let record = try record(.failed, job)
        #expect(record["code"]?.stringValue == code, "\(job): \(record.serializedString())", sourceLocation: sourceLocation)
        #expect(record["hint"]?.stringValue?.isEmpty == false, "\(job) has no hint", sourceLocation: sourceLocation)
        #expect(record["stage"]?.stringValue?.isEmpty == false, "\(job) has no stage", sourceLocation: sourceLocation)
        #expect(record["message"]?.stringValue?.isEmpty == false, "\(job) has no message", sourceLocation: sourceLocation)
        if let dropped {
            #expect(inputs(.failed, job).keys.sorted() == dropped.sorted(), "\(job)/input", sourceLocation: sourceLocation)
        }
        return record
    }

    /// Every job in `expected` ended exactly once (one folder in `done/` or `failed/`, no `_2` copy), and
    /// nothing else ended.
    func expectEachEndedOnce(_ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let ended = jobs(.done) + jobs(.failed)
        #expect(ended.sorted() == expected.sorted(), "done: \(jobs(.done)), failed: \(jobs(.failed))", sourceLocation: sourceLocation)
    }

    /// Nothing left in the inbox, no temporary files, staging entries, claim folders or spool folders.
    ///
    /// The daemon removes a job's claim folder and spool entry only after its outbox folder appears, so
    /// this first waits (up to 30 s) for them to go; a slow machine or an instrumented build must not fail it.
    func expectClean(sourceLocation: SourceLocation = #_sourceLocation) async {
        // Judged on the last look of the wait, not on a new one: the daemon keeps writing reports (a `credits.json`
        // rewritten under a temporary name), and a second look may catch one of those in flight.
        var inbox: [String] = []
        var left: [String] = []
        try? await waitFor("the inbox and the working folders to empty") {
            inbox = inboxFiles()
            left = leftovers()
            return inbox.isEmpty && left.isEmpty
        }
        #expect(inbox.isEmpty, "files left in the inbox: \(inbox)", sourceLocation: sourceLocation)
        #expect(left.isEmpty, "left behind: \(left)", sourceLocation: sourceLocation)
    }
}

extension Ledger {
    /// The submits that carried `requestID` (the billed one that created it).
    func submits(forRequestID requestID: String) -> Int {
        entries(forRequestID: requestID).filter { $0.endpoint == .submit }.count
    }
}
