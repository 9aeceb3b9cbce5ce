# frozen_string_literal: true

require "waweb_native/logging"

module WawebNative
  module Outbound
    # Short-lived flags every process must see (the typing throttle, the newest typing state
    # sent): Redis through the host's Sidekiq connection pool, which Chatwoot always has; a
    # table in this process when there is no Sidekiq. A Redis failure counts as "not
    # claimed" and is logged: an agent's typing indicator is not worth an error.
    module SharedState
      @local = {}
      @lock = Mutex.new

      # Stores ARGV[1] when it is greater than what the key holds (or the key is absent).
      ADVANCE = <<~LUA
        local held = tonumber(redis.call("GET", KEYS[1]))
        if held and held >= tonumber(ARGV[1]) then return 0 end
        redis.call("SET", KEYS[1], ARGV[1], "EX", ARGV[2])
        return 1
      LUA

      class << self
        # True when the key was free and is now held for ttl seconds.
        def claim(key, ttl)
          return local_claim(key, ttl) unless redis?

          ::Sidekiq.redis { |r| r.call("SET", key, "1", "NX", "EX", Integer(ttl)) } == "OK"
        rescue StandardError => e
          failed("claim", e)
          false
        end

        # Holds the key for ttl seconds whether or not it was held.
        def put(key, ttl)
          return @lock.synchronize { @local[key] = now + ttl } && true unless redis?

          ::Sidekiq.redis { |r| r.call("SET", key, "1", "EX", Integer(ttl)) } == "OK"
        rescue StandardError => e
          failed("put", e)
          false
        end

        # True when the key was held (and is now free).
        def release(key)
          return local_release(key) unless redis?

          ::Sidekiq.redis { |r| r.call("DEL", key) }.to_i.positive?
        rescue StandardError => e
          failed("release", e)
          false
        end

        # True when value (an Integer) is greater than the one the key holds, which it now
        # holds for ttl seconds. A Redis failure counts as "greater": better a late state
        # than none.
        def advance(key, value, ttl)
          return local_advance(key, Integer(value), ttl) unless redis?

          ::Sidekiq.redis { |r| r.call("EVAL", ADVANCE, 1, key, Integer(value).to_s, Integer(ttl).to_s) }.to_i == 1
        rescue StandardError => e
          failed("advance", e)
          true
        end

        def clear_local
          @lock.synchronize { @local.clear }
        end

        # Whether the flags live in Redis (Sidekiq's pool), seen by every process.
        def redis?
          defined?(::Sidekiq) && ::Sidekiq.respond_to?(:redis)
        end

        def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)

        # A Redis failure is logged and never raised (SharedLock's too): it costs a typing
        # indicator or a throttle, not an agent's action.
        def failed(what, error)
          WawebNative.logger&.warn("[waweb_native] shared state #{what} failed (#{error.class}): #{error.message}")
        end

        private

        def local_advance(key, value, ttl)
          @lock.synchronize do
            held, expires = @local[key]
            return false if held.is_a?(Integer) && expires > now && held >= value

            @local[key] = [value, now + ttl]
            true
          end
        end

        def local_claim(key, ttl)
          @lock.synchronize do
            expires = @local[key]
            return false if expires && expires > now

            @local[key] = now + ttl
            true
          end
        end

        def local_release(key)
          @lock.synchronize do
            expires = @local.delete(key)
            !expires.nil? && expires > now
          end
        end
      end
    end
  end
end
