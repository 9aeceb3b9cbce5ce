# frozen_string_literal: true

require "spec_helper"
require "rack"
require "stringio"
require "tmpdir"
require "English"
require "net/http"
require "socket"

RSpec.describe WawebNative::Multipart do # rubocop:disable RSpec/SpecFilePathFormat -- spec layout is one file per concern
  let(:dir) { Dir.mktmpdir("waweb_mp") }

  after { FileUtils.rm_rf(dir) }

  def write_file(name, bytes)
    path = File.join(dir, name)
    File.binwrite(path, bytes)
    path
  end

  def body_of(multipart)
    body = String.new(encoding: Encoding::BINARY)
    multipart.each_chunk { |chunk| body << chunk }
    body
  end

  # Rack's own parser, fed the way a Rack server would feed it.
  def rack_parse(multipart, input = StringIO.new(body_of(multipart)))
    env = { "CONTENT_TYPE" => multipart.content_type, "CONTENT_LENGTH" => multipart.content_length.to_s,
            "rack.input" => input }
    params = Rack::Multipart.parse_multipart(env)
    params.each_value { |v| v[:tempfile]&.rewind if v.is_a?(Hash) }
    params
  end

  it "round-trips fields and several files through Rack byte for byte" do
    all_bytes = (0..255).map(&:chr).join.b
    random = Random.new(42).bytes(1024 * 1024)
    m = described_class.new
    m.add_field("phone", "6281234567890")
    m.add_field("caption", "héllo ✓")
    m.add_field("binary", all_bytes)
    m.add_file("empty", write_file("empty.bin", ""), content_type: "text/plain")
    m.add_file("all", write_file("all.bin", all_bytes * 3))
    m.add_file("big", write_file("big.bin", random), filename: "big.jpg", content_type: "image/jpeg")

    params = rack_parse(m)
    expect(params["phone"]).to eq("6281234567890")
    expect(params["caption"]).to eq("héllo ✓")
    expect(params["binary"].b).to eq(all_bytes)
    expect(params["empty"][:filename]).to eq("empty.bin")
    expect(params["empty"][:type]).to eq("text/plain")
    expect(params["empty"][:tempfile].read).to eq("")
    expect(params["all"][:type]).to eq("application/octet-stream")
    expect(params["all"][:tempfile].read.b).to eq(all_bytes * 3)
    expect(params["big"][:filename]).to eq("big.jpg")
    expect(params["big"][:type]).to eq("image/jpeg")
    expect(params["big"][:tempfile].read.b).to eq(random)
  end

  it "states the exact content length and content type up front" do
    m = described_class.new
    m.add_field("a", "1")
    m.add_file("f", write_file("f.txt", "x" * 100_000))
    expect(m.boundary).to match(/\A----waweb[0-9a-f]{32}\z/)
    expect(m.content_type).to eq("multipart/form-data; boundary=#{m.boundary}")
    expect(m.content_length).to eq(body_of(m).bytesize)
    expect(m.size).to eq(m.content_length)
    expect(described_class.new.boundary).not_to eq(m.boundary)
  end

  it "gives the same bytes through each_chunk, read(n) and read" do
    m = described_class.new(boundary: "fixed-Boundary_1")
    m.add_field("x", "y" * 70_000)
    m.add_file("f", write_file("f.bin", Random.new(1).bytes(200_000)))
    whole = body_of(m)
    chunks = m.each_chunk.to_a
    expect(chunks.map(&:bytesize).max).to eq(64 * 1024)
    expect(chunks).to all(satisfy { |c| c.encoding == Encoding::BINARY })

    m.rewind
    pieces = []
    buf = +"junk"
    while (piece = m.read(777, buf))
      expect(piece).to equal(buf)
      pieces << piece.dup
    end
    expect(buf).to eq("")
    expect(pieces.join).to eq(whole)
    expect(m.read(10)).to be_nil
    expect(m.read).to eq("")
    expect(m.eof?).to be(true)
    expect(m.rewind).to eq(0)
    expect(m.read(0)).to eq("")
    expect(m.read).to eq(whole)
    expect(whole).to start_with("--fixed-Boundary_1\r\n")
    expect(whole).to end_with("\r\n--fixed-Boundary_1--\r\n")
  end

  it "is an IO Rack can read directly" do
    m = described_class.new
    m.add_field("k", "v")
    m.add_file("f", write_file("f.bin", "abc" * 50_000))
    params = rack_parse(m, m)
    expect(params["k"]).to eq("v")
    expect(params["f"][:tempfile].read).to eq("abc" * 50_000)
  end

  it "streams as a Net::HTTP body_stream" do
    server = TCPServer.new("127.0.0.1", 0)
    received = Thread.new do
      client = server.accept
      head = +""
      head << client.readpartial(1) until head.end_with?("\r\n\r\n")
      length = head[/^Content-Length: (\d+)/i, 1].to_i
      body = client.read(length)
      client.write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
      client.close
      [head, body]
    end
    m = described_class.new
    m.add_field("phone", "628123")
    m.add_file("video", write_file("v.mp4", Random.new(3).bytes(300_000)), content_type: "video/mp4")
    request = Net::HTTP::Post.new("/send/video", "Content-Type" => m.content_type,
                                                 "Content-Length" => m.content_length.to_s)
    request.body_stream = m
    response = Net::HTTP.start("127.0.0.1", server.addr[1]) { |http| http.request(request) }
    expect(response.code).to eq("204")
    head, body = received.value
    expect(head).to include("Content-Length: #{m.content_length}")
    expect(body.bytesize).to eq(m.content_length)
    m.rewind
    expect(body).to eq(m.read)
  ensure
    server&.close
  end

  it "escapes quotes, CR and LF in names and filenames so no header can be injected" do
    evil = "x\"; filename=\"owned.sh\"\r\nContent-Type: text/html\r\n\r\n"
    m = described_class.new
    m.add_field(evil, "value")
    m.add_file("file", write_file("f.txt", "data"), filename: "a\"b\r\nX-Injected: 1\n.txt")
    body = body_of(m)
    expect(body).not_to include("X-Injected: 1\r\n")
    expect(body).to include('name="x%22; filename=%22owned.sh%22%0D%0AContent-Type: text/html%0D%0A%0D%0A"')
    expect(body).to include('filename="a%22b%0D%0AX-Injected: 1%0A.txt"')

    params = rack_parse(m)
    expect(params.keys).to contain_exactly(evil.gsub("\"", "%22").gsub("\r", "%0D").gsub("\n", "%0A"), "file")
    file = params["file"]
    # Rack percent-decodes filenames, as it does for browsers' uploads.
    expect(file[:filename]).to eq("a\"b\r\nX-Injected: 1\n.txt")
    expect(file[:head].split("\r\n").map { |l| l.split(":").first })
      .to eq(%w[Content-Disposition Content-Type])
    expect(file[:tempfile].read).to eq("data")
  end

  it "keeps unicode filenames" do
    m = described_class.new
    m.add_file("doc", write_file("relatório.pdf", "%PDF"), content_type: "application/pdf")
    m.add_file("pic", write_file("x.bin", "img"), filename: "фото 🎉.jpg")
    params = rack_parse(m)
    expect(params["doc"][:filename].b).to eq("relatório.pdf".b)
    expect(params["pic"][:filename].b).to eq("фото 🎉.jpg".b)
  end

  it "accepts Pathname paths and symbol names" do
    m = described_class.new
    m.add_file(:f, Pathname(write_file("p.txt", "pp")))
    expect(rack_parse(m)["f"][:filename]).to eq("p.txt")
  end

  it "rejects NUL bytes, bad content types and bad boundaries with ArgumentError" do
    m = described_class.new
    path = write_file("f.txt", "x")
    expect { m.add_field("a\0b", "v") }.to raise_error(described_class::InvalidPart, /NUL/)
    expect { m.add_file("f", path, filename: "a\0b") }.to raise_error(ArgumentError, /NUL/)
    expect { m.add_file("f", path, content_type: "text/plain\r\nX-Evil: 1") }.to raise_error(ArgumentError)
    expect { m.add_file("f", path, content_type: "text/plain\nX: 1") }.to raise_error(ArgumentError)
    expect { m.add_file("f", path, content_type: "") }.to raise_error(ArgumentError)
    expect { described_class.new(boundary: "") }.to raise_error(ArgumentError)
    expect { described_class.new(boundary: "a" * 71) }.to raise_error(ArgumentError)
    expect { described_class.new(boundary: "a\r\nb") }.to raise_error(ArgumentError)
    expect { m.add_field("a", 1) }.to raise_error(TypeError)
    expect(described_class::InvalidPart.ancestors).to include(WawebNative::Error)
    expect(m.content_length).to eq(body_of(m).bytesize)
    expect(body_of(m)).to eq("--#{m.boundary}--\r\n")
  end

  it "refuses a field value holding its own boundary" do
    m = described_class.new(boundary: "abc")
    expect { m.add_field("a", "x\r\n--abc\r\n") }.to raise_error(ArgumentError, /boundary/)
  end

  it "raises Errno for a missing file and ArgumentError for a directory at add time" do
    m = described_class.new
    expect { m.add_file("f", File.join(dir, "nope")) }.to raise_error(Errno::ENOENT, /nope/)
    expect { m.add_file("f", dir) }.to raise_error(ArgumentError, /regular file/)
    expect(m.content_length).to eq(body_of(m).bytesize)
  end

  it "raises instead of sending a wrong length when a file grows or shrinks after add_file" do
    grow = write_file("grow.bin", "a" * 1000)
    m = described_class.new
    m.add_file("f", grow)
    File.binwrite(grow, "a" * 1001)
    expect { body_of(m) }.to raise_error(described_class::FileChanged, /changed size/)
    expect { m.read }.to raise_error(IOError)

    shrink = write_file("shrink.bin", "b" * 200_000)
    m = described_class.new
    m.add_file("f", shrink)
    m.read(70_000)
    File.truncate(shrink, 100_000)
    expect { m.read }.to raise_error(described_class::FileChanged)
  end

  it "notices growth that happens mid-stream" do
    path = write_file("mid.bin", "c" * 150_000)
    m = described_class.new
    m.add_file("f", path)
    m.read(100_000)
    File.open(path, "ab") { |f| f.write("more") }
    expect { m.read }.to raise_error(described_class::FileChanged)
  end

  it "refuses parts added mid-read, and cannot be copied" do
    m = described_class.new
    m.add_field("a", "b")
    m.read(3)
    expect { m.add_field("c", "d") }.to raise_error(IOError, /rewind/)
    m.rewind
    m.add_field("c", "d")
    expect(rack_parse(m)).to eq("a" => "b", "c" => "d")
    expect { m.dup }.to raise_error(TypeError)
  end

  it "fails reads after close" do
    m = described_class.new
    m.add_file("f", write_file("f.txt", "x"))
    m.close
    expect { m.read }.to raise_error(Errno::EBADF)
  end

  it "collects forgotten builders' descriptors instead of failing with EMFILE" do
    path = write_file("fd.txt", "fd")
    pid = fork do
      Process.setrlimit(:NOFILE, Dir.children("/proc/self/fd").size + 16)
      300.times { described_class.new.add_file("f", path) }
      exit!(0)
    rescue StandardError
      exit!(1)
    end
    Process.wait(pid)
    expect($CHILD_STATUS.exitstatus).to eq(0)
  end

  it "survives GC.stress over a small build" do
    path = write_file("s.bin", "s" * 5000)
    GC.stress = true
    begin
      m = described_class.new
      m.add_field("a", "b" * 100)
      m.add_file("f", path, filename: "s\".bin", content_type: "text/plain")
      chunks = m.each_chunk.to_a
      m.rewind
      again = m.read(1000, +"")
    ensure
      GC.stress = false
    end
    expect(chunks.join.bytesize).to eq(m.content_length)
    expect(chunks.join).to start_with(again)
    Compaction.verify!
    expect(rack_parse(m)["f"][:tempfile].read).to eq("s" * 5000)
  end
end
