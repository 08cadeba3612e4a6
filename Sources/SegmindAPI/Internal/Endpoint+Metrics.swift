extension Endpoint {
    /// The `endpoint` label of `facedrop_segmind_requests_total`: the kind of request, never its model or ID.
    var metricsLabel: String {
        switch self {
        case .submit: "submit"
        case .status: "poll"
        case .result: "result"
        case .credits: "credits"
        case .upload: "upload"
        }
    }
}
