# frozen_string_literal: true

require "socket"

# A redis-server of its own on a free loopback port, no persistence, for a spec that
# stops and restarts Redis without disturbing the suite's (spec/hardening/faults_spec.rb).
class PrivateRedis
  attr_reader :port

  def initialize
    probe = TCPServer.new("127.0.0.1", 0)
    @port = probe.addr[1]
    probe.close
  end

  def start
    @pid = Process.spawn("redis-server", "--port", @port.to_s, "--bind", "127.0.0.1", "--save", "",
                         "--appendonly", "no", out: File::NULL, err: File::NULL)
    50.times do
      return self if ping?

      sleep 0.1
    end
    raise "redis-server on #{@port} did not start"
  end

  def stop
    return unless @pid

    Process.kill("TERM", @pid)
    Process.wait(@pid)
    @pid = nil
  end

  def ping?
    TCPSocket.new("127.0.0.1", @port).tap do |s|
      s.write("PING\r\n")
      return s.gets&.start_with?("+PONG")
    ensure
      s.close
    end
  rescue SystemCallError
    false
  end

  def url = "redis://127.0.0.1:#{@port}/0"
end
