# frozen_string_literal: true

class FakeGateway
  # Turns a Rack env into a recorded Request (headers, query, JSON or multipart parts).
  module Recording
    # Rack env key -> recorded header name ("HTTP_X_DEVICE_ID" -> "x-device-id"), computed once per name.
    HEADER_NAMES = Hash.new { |names, key| names[key] = key.delete_prefix("HTTP_").downcase.tr("_", "-").freeze }

    private

    def record_request(env)
      headers = {}
      env.each { |k, v| headers[HEADER_NAMES[k]] = v if k.start_with?("HTTP_") }
      headers["content-type"] = env["CONTENT_TYPE"] if env["CONTENT_TYPE"]
      query = env["QUERY_STRING"].to_s
      req = Request.new(method: env["REQUEST_METHOD"], path: env["PATH_INFO"], headers: headers,
                        query: query.empty? ? {} : Rack::Utils.parse_query(query), fields: {}, files: [],
                        connection: connection_id(env))
      read_body(env, req)
      @lock.synchronize { @requests << req }
      req
    end

    # The client's source port, looked up once per kept-alive socket (getpeername is a syscall).
    def connection_id(env)
      socket = env["puma.socket"]
      return nil unless socket.respond_to?(:remote_address)

      @ports[socket] ||= socket.remote_address.ip_port
    rescue StandardError
      nil
    end

    def read_body(env, req)
      type = env["CONTENT_TYPE"].to_s
      if type.start_with?("multipart/form-data")
        parse_multipart(env, req)
      else
        req.body = env["rack.input"]&.read.to_s
        req.json = parse_json(req.body) if type.include?("json")
      end
    end

    def parse_json(body)
      JSON.parse(body)
    rescue JSON::ParserError
      nil
    end

    def parse_multipart(env, req)
      params = Rack::Multipart.parse_multipart(env) || {}
      params.each do |name, value|
        if value.is_a?(Hash) && value[:tempfile]
          req.files << uploaded(name, value)
        else
          req.fields[name] = value
        end
      end
    end

    def uploaded(name, part)
      file = part[:tempfile]
      file.rewind
      digest = Digest::SHA256.new
      size = 0
      kept = +"".b
      while (chunk = file.read(64 * 1024))
        digest << chunk
        size += chunk.bytesize
        kept << chunk if size <= RECORD_BYTES_LIMIT
      end
      file.close!
      UploadedFile.new(name: name, filename: part[:filename], content_type: part[:type], size: size,
                       sha256: digest.hexdigest, bytes: size <= RECORD_BYTES_LIMIT ? kept : nil)
    end
  end
end
