# frozen_string_literal: true

require "logger"

# Everything the suite logs, kept in memory for the whole run: every Logger (Rails.logger,
# ActiveJob's, Sidekiq's, and the StringIO loggers specs swap in) writes through
# Logger::LogDevice#write, and $stdout/$stderr writes (puts, warn) are teed too.
# spec/support/secret_registry.rb checks it after the suite; specs read the lines a
# block produced with LogCapture.during { ... }.
module LogCapture
  @buffer = String.new(encoding: Encoding::BINARY)
  @lock = Mutex.new

  class << self
    def record(text)
      text = text.to_s.b
      @lock.synchronize { @buffer << text }
    end

    # The whole buffer so far (a copy).
    def text
      @lock.synchronize { @buffer.dup }
    end

    # What was logged while the block ran (any thread), as UTF-8 with invalid bytes replaced.
    def during
      start = @lock.synchronize { @buffer.bytesize }
      yield
      @lock.synchronize { @buffer.byteslice(start..) }.force_encoding(Encoding::UTF_8).scrub
    end
  end

  # Prepended to Logger::LogDevice: the formatted line, as written to the file or IO.
  module DeviceTap
    def write(message)
      LogCapture.record(message)
      super
    end
  end

  # Prepended to the singleton classes of $stdout and $stderr.
  module StreamTap
    def write(*args)
      LogCapture.record(args.join)
      super
    end
  end
end

Logger::LogDevice.prepend(LogCapture::DeviceTap)
[$stdout, $stderr].each { |io| io.singleton_class.prepend(LogCapture::StreamTap) }
