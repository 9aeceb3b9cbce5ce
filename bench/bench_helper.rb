# frozen_string_literal: true

# Shared measuring for bench/*.rb: every benchmark compares the C path with a
# plain-Ruby reference in the same run and prints the ratio (absolute numbers on a
# shared machine mean little).
$LOAD_PATH.unshift File.expand_path("../lib", __dir__)
require "waweb_native"

module Bench
  module_function

  # Calls the block repeatedly for about `seconds`, returns operations per second.
  # (Blocks may be lambdas taking no argument: call them with `yield`, never `times(&block)`.)
  # clock: Process::CLOCK_THREAD_CPUTIME_ID counts only the time this thread ran, which
  # keeps a CPU-bound comparison steady while other processes load the machine.
  def ops_per_second(seconds: 1.0, clock: Process::CLOCK_MONOTONIC)
    yield # warm up
    count = 0
    batch = 1
    started = Process.clock_gettime(clock)
    loop do
      batch.times { yield }
      count += batch
      elapsed = Process.clock_gettime(clock) - started
      return count / elapsed if elapsed >= seconds

      batch *= 2 if batch < 4096
    end
  end

  # Ruby objects allocated by one call of the block (average over `calls` calls).
  def allocations_per_call(calls = 1000)
    yield
    GC.disable
    before = GC.stat(:total_allocated_objects)
    calls.times { yield }
    (GC.stat(:total_allocated_objects) - before) / calls.to_f
  ensure
    GC.enable
  end

  # Prints one comparison line and returns the ratio. The two sides alternate in short
  # rounds and the ratio is the median of the rounds' ratios: on a shared machine the
  # load moves within a second, and a side measured alone would catch only one phase.
  ROUNDS = 9

  def compare(name, native:, reference:, seconds: 1.0, clock: Process::CLOCK_MONOTONIC)
    rounds = ROUNDS
    slice = seconds / rounds
    pairs = Array.new(rounds) do
      [ops_per_second(seconds: slice, clock: clock, &native), ops_per_second(seconds: slice, clock: clock, &reference)]
    end
    c = pairs.sum(&:first) / rounds
    r = pairs.sum(&:last) / rounds
    c_alloc = allocations_per_call(&native)
    r_alloc = allocations_per_call(&reference)
    ratio = pairs.map { |cn, rf| cn / rf }.sort[rounds / 2]
    printf("%-34s C %12.0f ops/s (%5.1f allocs/call) | Ruby %12.0f ops/s (%5.1f allocs/call) | %6.2fx\n",
           name, c, c_alloc, r, r_alloc, ratio)
    ratio
  end

  # Resident set size of this process in kB (Linux).
  def rss_kb
    File.read("/proc/self/status")[/^VmRSS:\s+(\d+)/, 1].to_i
  end
end
