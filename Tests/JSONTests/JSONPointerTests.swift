import JSON
import Testing

/// RFC 6901 pointers, as `response_fields` names them.
@Suite struct JSONPointerTests {
    static let document = try! JSONTree.parse(Array(#"{"stat": {"inst_id": "e1", "n": [10, 20]}, "a/b": 1, "m~n": 2, "": 3}"#.utf8))

    func value(_ pointer: String) throws -> String? {
        guard let node = try JSONPointer(pointer).resolve(in: Self.document) else { return nil }
        var w = JSONWriter()
        node.write(to: &w)
        return w.text
    }

    @Test func resolvesObjectsArraysAndEscapes() throws {
        #expect(try value("/stat/inst_id") == "\"e1\"")
        #expect(try value("/stat/n/1") == "20")
        #expect(try value("/a~1b") == "1")
        #expect(try value("/m~0n") == "2")
        #expect(try value("/") == "3", "the empty key")
        #expect(try value("")?.hasPrefix("{") == true, "the whole document")
    }

    @Test func namesNothingWhereTheDocumentHasNothing() throws {
        #expect(try value("/stat/missing") == nil)
        #expect(try value("/stat/n/2") == nil)
        #expect(try value("/stat/n/01") == nil, "no leading zeros")
        #expect(try value("/stat/n/-") == nil)
        #expect(try value("/stat/inst_id/x") == nil)
    }

    @Test func refusesWhatIsNotAPointer() {
        for text in ["stat", "/a~", "/a~2"] {
            #expect(throws: JSONPointer.SyntaxError.self) { try JSONPointer(text) }
        }
    }
}
