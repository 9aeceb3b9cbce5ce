# frozen_string_literal: true

require "securerandom"
require "waweb_native/outbound/shared_state"

module WawebNative
  module Outbound
    # A lock every process honours (a chat's typing calls go out one at a time): a Redis key
    # that expires, where SharedState keeps its flags; a Mutex in this process otherwise.
    # It never blocks for longer than the key lives, and a Redis failure runs the block
    # unlocked: an agent's typing indicator is not worth an error.
    module SharedLock
      # Deletes the key only while it still holds this holder's token.
      UNLOCK = <<~LUA
        if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
        return 0
      LUA
      POLL = 0.02

      @locks = {}
      @lock = Mutex.new

      class << self
        # Runs the block while no other holder of the key runs its own: waits at most ttl
        # seconds, the longest a holder keeps the key.
        def exclusively(key, ttl, &)
          return local(key).synchronize(&) unless SharedState.redis?

          token = SecureRandom.hex(8)
          held = acquire(key, token, ttl)
          begin
            yield
          ensure
            release(key, token) if held
          end
        end

        private

        def acquire(key, token, ttl)
          deadline = SharedState.now + ttl
          loop do
            return true if ::Sidekiq.redis { |r| r.call("SET", key, token, "NX", "EX", Integer(ttl)) } == "OK"
            return false if SharedState.now >= deadline # the holder is gone or stuck: go ahead

            sleep POLL
          end
        rescue StandardError => e
          SharedState.failed("lock", e)
          false
        end

        def release(key, token)
          ::Sidekiq.redis { |r| r.call("EVAL", UNLOCK, 1, key, token) }
        rescue StandardError => e
          SharedState.failed("unlock", e)
        end

        def local(key)
          @lock.synchronize { @locks[key] ||= Mutex.new }
        end
      end
    end
  end
end
