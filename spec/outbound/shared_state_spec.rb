# frozen_string_literal: true

require "rails_helper"
require "json"
require "open3"
require "rbconfig"
require_relative "support/shared_state_exercise"

# The flags and the lock behind the typing throttle, in both homes: Redis through Sidekiq's
# pool (every process of a Chatwoot sees them), and the table of its own that a Ruby
# process without Sidekiq falls back to, run in such a process.
RSpec.describe "WawebNative::Outbound::SharedState and SharedLock" do
  def expect_promises_kept(result)
    expect(result["claims"]).to eq([true, false])
    expect(result["release"]).to eq([true, false, true])
    expect(result["put"]).to eq([true, false])
    expect(result["advance"]).to eq([true, false, false, true])
    expect(result["expired"]).to eq([true, true])
    expect(result["most_inside_lock"]).to eq(1)
  end

  it "keeps its flags in Redis where Sidekiq has a pool" do
    result = SharedStateExercise.run
    expect(result["redis"]).to be(true)
    expect_promises_kept(result)
  end

  it "keeps the same promises with a table of its own in a Ruby process without Sidekiq" do
    lib = File.expand_path("../../lib", __dir__)
    exercise = File.expand_path("support/shared_state_exercise.rb", __dir__)
    program = "require 'json'; require #{exercise.dump}; puts JSON.generate(SharedStateExercise.run)"
    out, err, status = Open3.capture3(RbConfig.ruby, "-I", lib, "-e", program)
    expect(status).to be_success, err
    result = JSON.parse(out)
    expect(result["redis"]).to be(false)
    expect_promises_kept(result)
  end

  it "gives a lock up after its time when the holder never lets go, leaving the holder's key" do
    key = "waweb:spec:stuck:#{SecureRandom.hex(4)}"
    Sidekiq.redis { |r| r.call("SET", key, "someone-else", "EX", 30) }
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    ran = false
    WawebNative::Outbound::SharedLock.exclusively(key, 1) { ran = true }
    expect(ran).to be(true)
    expect(Process.clock_gettime(Process::CLOCK_MONOTONIC) - started).to be >= 1.0
    expect(Sidekiq.redis { |r| r.call("GET", key) }).to eq("someone-else")
  end
end
