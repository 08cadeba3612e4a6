extension SegmindClient {
    /// Where a submitted request stands after one poll.
    public enum PollOutcome: Sendable {
        /// Still QUEUED or PROCESSING.
        case running(RequestStatus)
        /// COMPLETED, with its result read.
        case completed(GenerationResult)
    }

    /// Polls a request once and, when it has completed, reads its result.
    ///
    /// For callers that plan their own polling (a daemon sharing one request budget among many jobs);
    /// ``waitForResult(of:schedule:progress:)`` is the loop for a single job.
    ///
    /// - Throws: ``SegmindError/generationFailed(requestID:message:)`` for a FAILED request, and any error
    ///   of ``status(of:)`` or ``result(of:)``.
    public func poll(_ request: SubmittedRequest) async throws(SegmindError) -> PollOutcome {
        let status = try await status(of: request)
        switch status.state {
        case .completed:
            return .completed(try await result(of: request))
        case .failed:
            throw .generationFailed(requestID: request.requestID, message: errors.key.redacting(status.error ?? ""))
        case .queued, .processing:
            return .running(status)
        }
    }
}
