# frozen_string_literal: true

require "waweb_native/outbound/shared_lock"

# One pass over SharedState's and SharedLock's promises, as plain data: the spec runs it in
# its own process (Redis through Sidekiq's pool) and in a bare Ruby without Sidekiq (the
# in-process table), and expects the same answers from both.
module SharedStateExercise
  module_function

  def run
    @state = WawebNative::Outbound::SharedState
    @key = "waweb:spec:#{rand(1 << 30)}"
    { "redis" => @state.redis? || false, **flags, **expiry, "most_inside_lock" => most_inside_lock }
  end

  def flags
    c = "#{@key}:c"
    a = "#{@key}:a"
    { "claims" => [@state.claim(c, 1), @state.claim(c, 1)],
      "release" => [@state.release(c), @state.release(c), @state.claim(c, 1)],
      "put" => [@state.put("#{@key}:p", 1), @state.claim("#{@key}:p", 1)],
      "advance" => [@state.advance(a, 5, 1), @state.advance(a, 5, 1), @state.advance(a, 4, 1),
                    @state.advance(a, 6, 1)] }
  end

  def expiry
    @state.claim("#{@key}:e", 1)
    sleep 1.2
    { "expired" => [@state.claim("#{@key}:e", 1), @state.advance("#{@key}:a", 1, 1)] }
  end

  # Four threads take the lock together: never more than one inside.
  def most_inside_lock
    inside = 0
    most = 0
    guard = Mutex.new
    Array.new(4) do
      Thread.new do
        WawebNative::Outbound::SharedLock.exclusively("#{@key}:l", 5) do
          guard.synchronize { most = [most, inside += 1].max }
          sleep 0.05
          guard.synchronize { inside -= 1 }
        end
      end
    end.each(&:join)
    most
  end
end
