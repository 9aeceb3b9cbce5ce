# frozen_string_literal: true

require "socket"

# A redis-server of its own on a free loopback port, no persistence, for a spec that
# stops and restarts Redis without disturbing the suite's (spec/hardening/faults_spec.rb).
class PrivateRedis
  attr_reader :port

  def initialize
    @port = free_port
  end

  # The first start moves to another port if another program took this one between the
  # probe and the spawn (redis-server then exits); a restart keeps its port.
  def start
    3.times do
      @pid = Process.spawn("redis-server", "--port", @port.to_s, "--bind", "127.0.0.1", "--save", "",
                           "--appendonly", "no", out: File::NULL, err: File::NULL)
      return (@started = self) if answering?

      stop
      @port = free_port unless @started
    end
    raise "redis-server on #{@port} did not start"
  end

  def stop
    return unless @pid

    Process.kill("TERM", @pid)
    Process.wait(@pid)
  rescue Errno::ESRCH, Errno::ECHILD
    nil
  ensure
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

  private

  def answering?
    50.times do
      return true if ping?
      return false if Process.waitpid(@pid, Process::WNOHANG)

      sleep 0.1
    end
    false
  end

  def free_port
    probe = TCPServer.new("127.0.0.1", 0)
    probe.addr[1]
  ensure
    probe&.close
  end
end
