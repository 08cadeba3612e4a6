public import Foundation

/// The ledger summed up per job, joined with each job's timeline: how many requests a client spent on
/// each endpoint, and how long after a job finished the client noticed.
///
/// Benchmarks compare clients by these figures; they are computed from the same ledger tests assert on,
/// so a ``EmulatorServer/reset()`` starts a fresh count. Served as JSON by `GET /_emulator/stats`.
public struct EmulatorStats: Sendable, Equatable {
    /// One billed submit and everything the client asked about it afterwards.
    public struct Job: Sendable, Equatable {
        /// The request id the submit created.
        public var requestID: String
        /// The model slug.
        public var model: String
        /// The prompt sent, if any: a benchmark can name each drop in it to match jobs to files.
        public var prompt: String?
        /// When the submit arrived.
        public var submittedAt: Date
        /// When the job reached COMPLETED or FAILED: the submit plus its (scaled) queue and run time.
        public var finishedAt: Date
        /// Whether the job ends FAILED.
        public var failed: Bool
        /// `GET /v2/requests/{id}/status` requests.
        public var statusPolls: Int
        /// `GET /v2/requests/{id}` and `GET /v1/requests/{id}` requests.
        public var resultPolls: Int
        /// Output file downloads of this job.
        public var downloads: Int
        /// The first status or result request that arrived once the job had finished: when the client
        /// could first have learned it.
        public var firstPollAfterFinish: Date?
        /// The first result request that arrived once the job had finished.
        public var firstResultAfterFinish: Date?

        public init(
            requestID: String,
            model: String,
            prompt: String?,
            submittedAt: Date,
            finishedAt: Date,
            failed: Bool,
            statusPolls: Int = 0,
            resultPolls: Int = 0,
            downloads: Int = 0,
            firstPollAfterFinish: Date? = nil,
            firstResultAfterFinish: Date? = nil
        ) {
            self.requestID = requestID
            self.model = model
            self.prompt = prompt
            self.submittedAt = submittedAt
            self.finishedAt = finishedAt
            self.failed = failed
            self.statusPolls = statusPolls
            self.resultPolls = resultPolls
            self.downloads = downloads
            self.firstPollAfterFinish = firstPollAfterFinish
            self.firstResultAfterFinish = firstResultAfterFinish
        }

        /// The seconds from submit to finish: the time a client has to wait at least.
        public var runSeconds: Double { finishedAt.timeIntervalSince(submittedAt) }

        /// The seconds from finish to the first result request, `nil` while none came.
        public var detectionLag: Double? { firstResultAfterFinish.map { $0.timeIntervalSince(finishedAt) } }
    }

    /// Every request in the ledger, by endpoint (refused and faulted ones too).
    public var requestsByEndpoint: [EmulatorEndpoint: Int]
    /// The billed submits in the ledger, in arrival order.
    public var jobs: [Job]

    public init(requestsByEndpoint: [EmulatorEndpoint: Int] = [:], jobs: [Job] = []) {
        self.requestsByEndpoint = requestsByEndpoint
        self.jobs = jobs
    }
}
