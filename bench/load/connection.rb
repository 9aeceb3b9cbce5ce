# frozen_string_literal: true

require "socket"

module HostBench
  # A minimal keep-alive HTTP/1.1 client: one write per request and TCP_NODELAY, so the
  # figures are the server's (Net::HTTP's split writes stall on delayed ACKs on loopback).
  class Connection
    attr_reader :connects

    def initialize(port, host: "127.0.0.1")
      @host = host
      @port = port
      @connects = 0
      connect
    end

    # Returns the status code as a String ("200"). Reconnects first when the server
    # said "Connection: close" last time (Puma does so under pressure).
    def post(path, body, headers)
      connect if @socket.nil?
      head = "POST #{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: #{body.bytesize}\r\n"
      headers.each { |name, value| head << "#{name}: #{value}\r\n" }
      @socket.write(head << "\r\n" << body)
      status_line = @socket.gets or raise EOFError, "connection closed by the server"
      length, close_after = read_headers
      @socket.read(length) if length.positive?
      finish if close_after
      status_line.split[1]
    end

    def finish
      @socket&.close
      @socket = nil
    end

    private

    # [Content-Length, whether the server closes the connection after this answer]
    def read_headers
      length = 0
      close_after = false
      while (line = @socket.gets) != "\r\n"
        raise EOFError, "connection closed in headers" if line.nil?

        name, value = line.split(":", 2)
        case name.downcase
        when "content-length" then length = value.to_i
        when "connection" then close_after = value.strip.casecmp?("close")
        end
      end
      [length, close_after]
    end

    def connect
      @socket = TCPSocket.new(@host, @port)
      @socket.setsockopt(Socket::IPPROTO_TCP, Socket::TCP_NODELAY, 1)
      @connects += 1
    end
  end
end
