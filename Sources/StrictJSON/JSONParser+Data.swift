public import struct Foundation.Data

extension JSONParser {
    /// Parses one JSON document from `data`.
    public func parse(_ data: Data) throws(JSONParsingError) -> JSONValue {
        guard data.count <= limits.maxBytes else {
            throw JSONParsingError(offset: limits.maxBytes, reason: .tooLarge(limit: limits.maxBytes))
        }
        return try parse([UInt8](data))
    }
}
