# frozen_string_literal: true

require "socket"

module HostBench
  # A minimal keep-alive HTTP/1.1 client: one write per request and TCP_NODELAY, so the
  # figures are the server's (Net::HTTP's split writes stall on delayed ACKs on loopback).
  class Connection
    def initialize(port, host: "127.0.0.1")
      @socket = TCPSocket.new(host, port)
      @socket.setsockopt(Socket::IPPROTO_TCP, Socket::TCP_NODELAY, 1)
    end

    # Returns the status code as a String ("200").
    def post(path, body, headers)
      head = +"POST #{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: #{body.bytesize}\r\n"
      headers.each { |name, value| head << "#{name}: #{value}\r\n" }
      @socket.write(head << "\r\n" << body)
      status_line = @socket.gets or raise EOFError, "connection closed by the server"
      length = 0
      while (line = @socket.gets) != "\r\n"
        raise EOFError, "connection closed in headers" if line.nil?

        length = line.split(":", 2).last.to_i if line.downcase.start_with?("content-length:")
      end
      @socket.read(length) if length.positive?
      status_line.split[1]
    end

    def finish
      @socket.close
    end
  end
end
