# frozen_string_literal: true

require "base64"
require "stringio"
require "tempfile"
require "timeout"

RSpec.describe WawebNative::Gateway::Client do # rubocop:disable RSpec/SpecFilePathFormat
  subject(:client) do
    described_class.new(base_url: gateway.url, username: gateway.username, password: gateway.password)
  end

  let(:gateway) { FakeGateway.start }
  let(:errors) { WawebNative::Gateway }
  let(:png) { Tempfile.create(["qr", ".png"]).tap { |f| f.binmode.write(FakeGateway.png) && f.close } }

  after do
    gateway.stop
    FileUtils.rm_f(png.path)
  end

  def elapsed
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    yield
    Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
  end

  describe "requests" do
    it "GETs with Basic Auth and User-Agent and returns status, lowercase headers, body and json" do
      response = client.get("/app/status")
      expect(response).to be_a(WawebNative::Gateway::Response)
      expect(response.status).to eq(200)
      expect(response.headers["content-type"]).to eq("application/json")
      expect(response.body.encoding).to eq(Encoding::UTF_8)
      expect(response.json).to equal(response.json) # parsed once, memoised
      expect(response.json.dig("results", "is_logged_in")).to be(true)
      sent = gateway.last_request.headers
      credentials = Base64.decode64(sent["authorization"].delete_prefix("Basic "))
      expect(credentials).to eq("#{gateway.username}:#{gateway.password}")
      expect(sent["user-agent"]).to eq("waweb_native/#{WawebNative::VERSION}")
      expect(sent).not_to have_key("x-device-id")
    end

    it "sends X-Device-Id when a device is set" do
      described_class.new(base_url: gateway.url, username: gateway.username, password: gateway.password,
                          device_id: "org_1").get("/app/devices")
      expect(gateway.last_request.headers["x-device-id"]).to eq("org_1")
    end

    it "encodes the query" do
      client.get("/user/info", phone: "+628123456", is_preview: true)
      expect(gateway.last_request.query).to eq("phone" => "+628123456", "is_preview" => "true")
    end

    it "posts JSON" do
      response = client.post_json("/send/message", phone: "628123456", message: "héllo <b>")
      expect(response.json.dig("results", "message_id")).to match(/\A3EB0[0-9A-F]{16}\z/)
      expect(gateway.last_request.headers["content-type"]).to eq("application/json")
      expect(gateway.last_request.json).to eq("phone" => "628123456", "message" => "héllo <b>")
    end

    it "posts multipart with each part's own Content-Type and the bytes intact" do
      pdf = Tempfile.create(["doc", ".pdf"]).tap { |f| f.binmode.write("%PDF-1.4\x00\xFF".b * 1000) && f.close }
      response = client.post_multipart("/send/file", { phone: "628123456", caption: "two" },
                                       [{ name: "file", path: pdf.path, filename: "report.pdf",
                                          content_type: "application/pdf" },
                                        { name: "thumb", path: png.path, content_type: "image/png" }])
      expect(response.status).to eq(200)
      req = gateway.last_request
      expect(req.headers["content-type"]).to start_with("multipart/form-data")
      expect(req.fields).to eq("phone" => "628123456", "caption" => "two")
      file, thumb = req.files
      expect([file.name, file.filename, file.content_type]).to eq(["file", "report.pdf", "application/pdf"])
      expect(file.bytes).to eq(File.binread(pdf.path))
      expect([thumb.filename, thumb.content_type,
              thumb.bytes]).to eq([File.basename(png.path), "image/png", FakeGateway.png])
    ensure
      File.delete(pdf.path)
    end

    it "rejects a missing upload before sending" do
      expect { client.post_multipart("/send/image", { phone: "628123456" }, [{ name: "image", path: "/nonexistent" }]) }
        .to raise_error(ArgumentError, /nonexistent/)
    end

    it "lets the gateway reject an upload by its part's Content-Type" do
      expect do
        client.post_multipart("/send/image", { phone: "628123456" },
                              [{ name: "image", path: png.path, content_type: "text/plain" }])
      end.to raise_error(errors::RequestError) { |e| expect(e.code).to eq("VALIDATION_ERROR") }
    end
  end

  describe "PATCH and DELETE (the gateway's device routes)" do
    it "sends the verb and the JSON body, and the pooled handle goes back to GET and POST afterwards" do
      hook = { "webhook_url" => "http://cw/h", "webhook_secret" => "s" }
      expect(client.patch_json("/devices/org_1/webhook", hook).status).to eq(200)
      patch = gateway.last_request
      expect([patch.method, patch.path, patch.json]).to eq(["PATCH", "/devices/org_1/webhook", hook])
      expect(patch.headers["content-type"]).to eq("application/json")
      client.get("/app/status")
      expect(gateway.last_request.method).to eq("GET")
      client.post_json("/devices", { "device_id" => "extra" })
      expect(gateway.last_request.method).to eq("POST")
      expect(client.delete("/devices/extra").status).to eq(200)
      expect([gateway.last_request.method, gateway.last_request.body]).to eq(["DELETE", ""])
      client.get("/devices")
      expect(gateway.last_request.method).to eq("GET")
      expect { client.delete("/devices/extra") }
        .to raise_error(errors::RequestError) { |e| expect(e.code).to eq("DEVICE_NOT_FOUND") }
    end
  end

  describe "#download" do
    let(:bytes) { Random.new(1).bytes(300_000) }
    let(:target) { File.join(Dir.tmpdir, "waweb-dl-#{Process.pid}-#{rand(1 << 30)}") }

    before { gateway.add_media("clip.mp4", bytes) }
    after { FileUtils.rm_f(target) }

    it "streams to a path" do
      response = client.download("/statics/media/clip.mp4", target, max_bytes: 1_000_000)
      expect(response.status).to eq(200)
      expect(response.headers["content-type"]).to eq("video/mp4")
      expect(File.binread(target)).to eq(bytes)
    end

    it "streams to an IO and to a StringIO" do
      File.open(target, "wb") do |io|
        io.write("head")
        client.download("/statics/media/clip.mp4", io, max_bytes: 1_000_000)
      end
      expect(File.binread(target)).to eq("head#{bytes}".b)
      sio = StringIO.new(+"".b)
      client.download("/statics/media/clip.mp4", sio, max_bytes: 1_000_000)
      expect(sio.string).to eq(bytes)
    end

    it "aborts past max_bytes, removes the partial file and raises" do
      expect { client.download("/statics/media/clip.mp4", target, max_bytes: 100_000) }
        .to raise_error(errors::ResponseTooLargeError, /100000 bytes/)
      expect(File.exist?(target)).to be(false)
    end

    it "truncates an IO back to where it was on abort" do
      File.open(target, "wb") do |io|
        io.write("keep")
        expect do
          client.download("/statics/media/clip.mp4", io, max_bytes: 10)
        end.to raise_error(errors::ResponseTooLargeError)
      end
      expect(File.binread(target)).to eq("keep")
    end

    it "does not write an error answer into the file" do
      expect { client.download("/statics/media/missing.jpg", target, max_bytes: 100) }
        .to raise_error(errors::RequestError) { |e| expect(e.status).to eq(404) }
      expect(File.exist?(target)).to be(false)
    end
  end

  describe "connections" do
    it "keeps one connection alive across sequential requests" do
      10.times { client.post_json("/send/message", phone: "628123456", message: "hi") }
      expect(gateway.connection_count).to eq(1)
      expect(client.stats).to include(requests: 10, connects: 1, last_connects: 0)
    end

    it "opens a fresh connection after close" do
      client.get("/app/status")
      client.close
      client.get("/app/status")
      expect(gateway.connection_count).to eq(2)
      expect(client.stats[:connects]).to eq(2)
    end

    it "serves 8 threads at once, each on its own connection" do
      gateway.latency = 0.02
      ids = Array.new(8) do
        Thread.new do
          Array.new(5) do
            client.post_json("/send/message", phone: "628123456", message: "x").results["message_id"]
          end
        end
      end.flat_map(&:value)
      expect(ids.uniq.size).to eq(40)
      expect(gateway.requests.size).to eq(40)
      expect(gateway.connection_count).to be_between(2, 8)
      expect(client.stats[:connects]).to eq(gateway.connection_count)
    end

    it "never reuses the parent's connections in a forked child" do
      client.get("/app/status")
      reader, writer = IO.pipe.each(&:binmode) # Marshal bytes: Rails sets Encoding.default_internal
      pid = Process.fork do
        reader.close
        status = client.get("/app/status").status
        writer.write(Marshal.dump([status, client.stats[:last_connects]]))
        writer.close
        exit!(0)
      end
      writer.close
      child = Marshal.load(reader.read) # rubocop:disable Security/MarshalLoad
      Process.wait(pid)
      expect(child).to eq([200, 1])
      expect(client.get("/app/status").status).to eq(200)
      expect(client.stats[:last_connects]).to eq(0)
      expect(gateway.connection_count).to eq(2)
    ensure
      reader&.close
    end
  end

  describe "interruption of a hung request" do
    before { gateway.fail_next(:hang) }

    it "stops at once on Timeout.timeout" do
      time = elapsed { expect { Timeout.timeout(0.2) { client.get("/app/status") } }.to raise_error(Timeout::Error) }
      expect(time).to be < 2.0 # the hang lasts 120 s, the client timeout 30 s
      expect(client.get("/app/status").status).to eq(200)
    end

    it "stops at once on Thread#kill" do
      thread = Thread.new { client.get("/app/status") }
      sleep 0.01 until gateway.requests.any?
      time = elapsed do
        thread.kill
        thread.join
      end
      expect(time).to be < 2.0 # the hang lasts 120 s, the client timeout 30 s
      expect(thread.status).to be(false)
    end

    it "stops at once on an Interrupt" do
      thread = Thread.new do
        client.get("/app/status")
      rescue Interrupt => e
        e
      end
      sleep 0.01 until gateway.requests.any?
      time = elapsed do
        thread.raise(Interrupt)
        expect(thread.value).to be_a(Interrupt)
      end
      expect(time).to be < 2.0 # the hang lasts 120 s, the client timeout 30 s
    end

    # A fresh single-threaded process: the path where Ruby delivers SIGINT by calling the
    # unblocking function from its signal handler (spawned, so it inherits none of this suite's state).
    it "stops at once on Ctrl-C (SIGINT) in a process's main thread" do
      script = <<~RUBY
        require "waweb_native"
        client = WawebNative::Gateway::Client.new(base_url: ENV.fetch("GW_URL"), username: ENV.fetch("GW_USER"),
                                                  password: ENV.fetch("GW_PASSWORD"))
        started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
        outcome = begin
          client.get("/app/status").status
        rescue Interrupt => e
          e.class.name
        end
        puts [outcome, Process.clock_gettime(Process::CLOCK_MONOTONIC) - started].join(" ")
      RUBY
      env = { "GW_URL" => gateway.url, "GW_USER" => gateway.username, "GW_PASSWORD" => gateway.password }
      lib = File.expand_path("../lib", __dir__)
      IO.popen(env, [RbConfig.ruby, "-I", lib, "-e", script], "r") do |io|
        sleep 0.01 until gateway.requests.any?
        Process.kill("INT", io.pid)
        outcome, time = io.read.split
        expect(outcome).to eq("Interrupt")
        expect(Float(time)).to be < 2.0 # the hang lasts 120 s, the client timeout 30 s
      end
    end

    it "raises TimeoutError past the client's timeout" do
      slow = described_class.new(base_url: gateway.url, username: gateway.username, password: gateway.password,
                                 timeout: 0.3)
      expect { slow.get("/app/status") }.to raise_error(errors::TimeoutError, /did not answer.*timeout/) { |e|
        expect(e.status).to be_nil
      }
    end
  end

  describe "errors" do
    def error_for(mode = nil)
      gateway.fail_next(mode) if mode
      yield
      raise "no error raised"
    rescue errors::Error => e
      e
    end

    it "maps every failure to its class, with status and code, and a message saying what to do" do
      cases = {
        unauthorized: [errors::AuthenticationError, 401, nil, /Check the Basic Auth username and password/],
        not_logged_in: [errors::NotLoggedInError, 401, "AUTHENTICATION_ERROR", /Scan the QR code again/],
        rate_limited: [errors::RateLimitedError, 429, "WA_REACHOUT_TIMELOCK", /wait before sending again/],
        server_error: [errors::ServerError, 500, "INTERNAL_SERVER_ERROR", /Check the gateway's logs/]
      }
      cases.each do |mode, (klass, status, code, text)|
        error = error_for(mode) { client.get("/app/status") }
        expect([error.class, error.status, error.code]).to eq([klass, status, code])
        expect(error.message).to match(text)
        expect(error).to be_a(WawebNative::Error)
      end
    end

    it "gives AuthenticationError for a wrong password and NotLoggedInError when WhatsApp is logged out" do
      wrong = described_class.new(base_url: gateway.url, username: gateway.username, password: "nope")
      expect { wrong.get("/app/status") }.to raise_error(errors::AuthenticationError)
      gateway.logged_in = false
      expect { client.post_json("/send/message", phone: "628123456", message: "x") }
        .to raise_error(errors::NotLoggedInError)
    end

    it "gives RequestError with the gateway's code and message" do
      error = error_for { client.post_json("/send/message", phone: "0812", message: "x") }
      expect(error).to be_a(errors::RequestError)
      expect([error.status, error.code, error.gateway_message]).to eq([400, "INVALID_JID", "invalid phone number 0812"])
      expect(error.message).to include("invalid phone number 0812")
    end

    it "gives ConnectionError when the port is closed or the connection is dropped" do
      port = TCPServer.open("127.0.0.1", 0).then { |s| s.addr[1].tap { s.close } }
      closed = described_class.new(base_url: "http://127.0.0.1:#{port}", username: "u", password: "p")
      error = error_for { closed.get("/app/status") }
      expect(error).to be_a(errors::ConnectionError)
      expect(error.message).to include("http://127.0.0.1:#{port}/app/status", "Check that the gateway is running")
      gateway.fail_next(:refuse, count: 2) # curl retries once on a fresh connection
      expect { client.get("/app/status") }.to raise_error(errors::ConnectionError)
    end

    it "gives ConnectionError for an unknown host" do
      host = described_class.new(base_url: "http://gateway.invalid", username: "u", password: "p", open_timeout: 2)
      expect { host.get("/app/status") }.to raise_error(errors::ConnectionError)
    end

    it "returns a 2xx with malformed JSON and raises on #json" do
      gateway.fail_next(:malformed_json)
      response = client.get("/app/status")
      expect(response.status).to eq(200)
      expect { response.json }.to raise_error(errors::MalformedResponseError) { |e| expect(e).to be_a(errors::Error) }
    end

    it "never shows the password" do
      secret = gateway.password
      messages = %i[unauthorized not_logged_in rate_limited server_error].map do |m|
        error_for(m) do
          client.get("/x")
        end.message
      end
      gateway.fail_next(:hang)
      slow = described_class.new(base_url: gateway.url, username: gateway.username, password: secret, timeout: 0.2)
      messages << error_for { slow.get("/app/status") }.message
      messages << error_for {
        described_class.new(base_url: "http://127.0.0.1:1", username: "u", password: secret).get("/")
      }.message
      messages << client.inspect << client.to_s << client.instance_variables.map { |v|
        client.instance_variable_get(v).inspect
      }.join
      messages << begin
        described_class.new(base_url: "http://u:#{secret}@h", username: "u", password: secret)
      rescue ArgumentError => e
        e.message
      end
      expect(messages.grep(/#{Regexp.escape(secret)}/)).to eq([])
      expect(messages.size).to eq(10)
    end
  end

  it "rejects bad configuration" do
    expect { described_class.new(base_url: "ftp://x", username: "u", password: "p") }.to raise_error(ArgumentError)
    expect { described_class.new(base_url: gateway.url, username: "u", password: "p", device_id: "a\r\nX: 1") }
      .to raise_error(ArgumentError)
  end

  # The client runs in a forked child so GC.stress does not also slow the in-process fake server.
  it "survives GC.stress across every kind of call" do
    gateway.add_media("a.jpg", "jpeg!")
    client.get("/app/status")
    path = File.join(Dir.tmpdir, "waweb-gc-#{Process.pid}")
    reader, writer = IO.pipe
    pid = Process.fork do
      reader.close
      GC.stress = 0x01 # minor GCs at every allocation: full marks of the whole suite take too long
      statuses = [client.get("/app/status", x: 1).status,
                  client.post_json("/send/message", phone: "628123456", message: "gc").status,
                  client.post_multipart("/send/image", { phone: "628123456" },
                                        [{ name: "image", path: png.path, content_type: "image/png" }]).status,
                  client.download("/statics/media/a.jpg", path, max_bytes: 100).status]
      GC.stress = false
      writer.write(statuses.join(","))
      writer.close
      exit!(0)
    end
    writer.close
    result = reader.read
    Process.wait(pid)
    expect(result).to eq("200,200,200,200")
    expect(File.binread(path)).to eq("jpeg!")
  ensure
    reader&.close
    FileUtils.rm_f(path)
  end
end
