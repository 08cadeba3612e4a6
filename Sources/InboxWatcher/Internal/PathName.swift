/// Plain string path arithmetic: no file system access, no normalisation of `..`.
enum PathName {
    /// An absolute path without trailing slashes (relative paths are taken from the current folder).
    static func normalized(_ path: String) -> String {
        var path = path.hasPrefix("/") ? path : join(FileSystem.currentFolder(), path)
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    static func join(_ folder: String, _ name: String) -> String {
        folder == "/" ? "/" + name : folder + "/" + name
    }

    /// (parent folder, last component) of an absolute path.
    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        let folder = slash == path.startIndex ? "/" : String(path[..<slash])
        return (folder, String(path[path.index(after: slash)...]))
    }

    /// True when `path` is `folder` or lies below it.
    static func isInside(_ path: String, _ folder: String) -> Bool {
        if path == folder { return true }
        return path.hasPrefix(folder == "/" ? "/" : folder + "/")
    }
}

extension PathName {
    /// A raw file name as it may be shown in a message: valid UTF-8 as it is, every byte that is not part
    /// of valid UTF-8 as `\xHH`, and control characters as `\u{HH}`, so that a name which is not UTF-8 can
    /// still be told apart from its neighbours (U+FFFD would make them all look alike) and no name can
    /// break a log line.
    static func displayName(_ bytes: [UInt8]) -> String {
        var text = ""
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                if scalar.properties.generalCategory == .control {
                    text += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    text.unicodeScalars.append(scalar)
                }
                offset += encoded.count
            case .error(let length):
                for byte in bytes[offset..<offset + length] {
                    text += "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
                }
                offset += length
            case .emptyInput:
                return text
            }
        }
    }
}
