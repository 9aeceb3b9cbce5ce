# frozen_string_literal: true

# Payload.classify against JSON.parse + dig extracting the same fields, on two ~1 KB
# v8 image webhooks: the fixture padded with fields a real gateway sends, and the bare
# fixture carrying a real customer's 750-character caption (accents, an emoji).
# Timed in this thread's CPU time (single-threaded, no I/O): waiting for a core on a
# loaded machine is not counted. bench/payload_instructions.rb counts the same work in
# instructions (callgrind).
require_relative "payload_cases"

CPU = Process::CLOCK_THREAD_CPUTIME_ID

PayloadCases::BODIES.each do |label, body|
  unless PayloadCases.native(body) == PayloadCases.reference(body)
    raise "classify disagrees with the reference:\n#{PayloadCases.native(body)}\n#{PayloadCases.reference(body)}"
  end

  header = PayloadCases.header(body)
  puts "#{label}: #{body.bytesize} bytes"
  Bench.compare("classify + 11 reads (#{label})",
                native: -> { PayloadCases.native_reads(body) }, reference: -> { PayloadCases.reference(body) },
                clock: CPU)
  Bench.compare("classify only vs JSON.parse (#{label})",
                native: -> { WawebNative::Payload.classify(body) }, reference: -> { JSON.parse(body) }, clock: CPU)
  Bench.compare("verify? + classify + reads (#{label})",
                native: -> { PayloadCases.native_all(body, header) },
                reference: -> { PayloadCases.reference_all(body, header) }, clock: CPU)
end
