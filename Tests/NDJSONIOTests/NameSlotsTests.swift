import NDJSONIO
import Testing

@Suite struct NameSlotsTests {
    func slot(_ s: inout NameSlots, bytes name: String) -> (Int, Bool) {
        var copy = name
        return copy.withUTF8 {
            let r = s.slot($0)
            return (r.slot, r.isNew)
        }
    }

    @Test func slotsAreDenseInFirstAppearanceOrderFromBytesOrStrings() {
        var s = NameSlots()
        #expect(slot(&s, bytes: "faas_measure") == (0, true))
        #expect(slot(&s, bytes: "faas_measure") == (0, false))  // the previous name, by bytes
        #expect(slot(&s, bytes: "faas_sleep") == (1, true))
        #expect(slot(&s, bytes: "faas_measure") == (0, false))  // an earlier name, by lookup
        #expect(s.slot("faas_sleep") == (1, false))
        #expect(s.slot("") == (2, true))
        #expect(slot(&s, bytes: "") == (2, false))
        #expect(slot(&s, bytes: "faas_measur") == (3, true))  // a prefix is another name
        #expect(s.names == ["faas_measure", "faas_sleep", "", "faas_measur"])
    }
}
