import Foundation
import SegmindCatalog
import StrictJSON

extension EmulatorServer {
    /// The ledger summed up per job, for benchmarks: requests by endpoint, and for each billed submit its
    /// polls, downloads and the first request that came after it finished.
    public func stats() -> EmulatorStats {
        var byEndpoint: [EmulatorEndpoint: Int] = [:]
        var jobs: [EmulatorStats.Job] = []
        var index: [String: Int] = [:]
        for entry in entries {
            byEndpoint[entry.endpoint, default: 0] += 1
            guard let id = entry.requestID else { continue }
            if entry.endpoint == .submit {
                guard entry.billed, index[id] == nil, let record = records[id] else { continue }
                index[id] = jobs.count
                jobs.append(
                    EmulatorStats.Job(
                        requestID: id,
                        model: record.model,
                        prompt: record.prompt,
                        submittedAt: record.submittedAt,
                        finishedAt: record.submittedAt.addingTimeInterval(record.queueDuration + record.runDuration),
                        failed: record.failure != nil
                    )
                )
                continue
            }
            guard let position = index[id] else { continue }
            let finished = entry.time >= jobs[position].finishedAt
            switch entry.endpoint {
            case .status:
                jobs[position].statusPolls += 1
            case .result:
                jobs[position].resultPolls += 1
                if finished, jobs[position].firstResultAfterFinish == nil { jobs[position].firstResultAfterFinish = entry.time }
            case .output:
                jobs[position].downloads += 1
            case .submit, .credits, .upload, .other:
                continue
            }
            if finished, jobs[position].firstPollAfterFinish == nil, entry.endpoint != .output {
                jobs[position].firstPollAfterFinish = entry.time
            }
        }
        return EmulatorStats(requestsByEndpoint: byEndpoint, jobs: jobs)
    }
}

extension EmulatorStats {
    /// The JSON form served by `GET /_emulator/stats`; times are seconds since 1970, so a script can
    /// subtract them directly.
    var json: JSONValue {
        func time(_ date: Date?) -> JSONValue { date.map { .number($0.timeIntervalSince1970) } ?? .null }
        var counts: [String: JSONValue] = [:]
        for endpoint in EmulatorEndpoint.allCases {
            counts[endpoint.rawValue] = .integer(Int64(requestsByEndpoint[endpoint] ?? 0))
        }
        let list: [JSONValue] = jobs.map { job in
            .object([
                "request_id": .string(job.requestID),
                "model": .string(job.model),
                "prompt": job.prompt.map(JSONValue.string) ?? .null,
                "submitted_at": time(job.submittedAt),
                "finished_at": time(job.finishedAt),
                "failed": .bool(job.failed),
                "status_polls": .integer(Int64(job.statusPolls)),
                "result_polls": .integer(Int64(job.resultPolls)),
                "downloads": .integer(Int64(job.downloads)),
                "first_poll_after_finish": time(job.firstPollAfterFinish),
                "first_result_after_finish": time(job.firstResultAfterFinish),
            ])
        }
        return .object(["requests": .object(counts), "jobs": .array(list)])
    }
}
