import Testing
import ToolSupport

/// Every tool reports bad input as one line, `file:line: field: problem`.
@Suite struct InputErrorTests {
    @Test func formatsEveryPartThatIsKnown() {
        #expect(
            InputError(file: "w.json", line: 3, field: "rate", problem: "must be positive").description
                == "w.json:3: rate: must be positive")
        #expect(InputError(file: "w.json", problem: "cannot read").description == "w.json: cannot read")
        #expect(InputError(file: "-", line: 7, field: "", problem: "bad").description == "-:7: bad")
    }

    @Test func exitStatusesAreTheDocumentedOnes() {
        #expect(ExitStatus.success == 0 && ExitStatus.failure == 1 && ExitStatus.badInput == 2 && ExitStatus.timedOut == 3)
    }
}
