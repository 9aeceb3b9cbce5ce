# frozen_string_literal: true

require "spec_helper"

EXPECTED_WEBHOOKS = JSON.parse(File.read(File.join(FIXTURES, "expected.json"))).freeze
# Fields the Ruby API returns as Symbols; expected.json holds their names.
SYMBOL_WEBHOOK_FIELDS = %w[format kind receipt_type group_action].freeze

# Every fixture body must classify exactly as its entry in expected.json says.
RSpec.describe "WawebNative::Payload.classify on the shared webhook fixtures" do
  it "has an expected.json entry for every fixture file" do
    files = Dir[File.join(FIXTURES, "v{7,8}", "*.json")].map { |f| f.delete_prefix("#{FIXTURES}/") }
    expect(files).not_to be_empty
    expect(files.sort).to eq(EXPECTED_WEBHOOKS.keys.sort)
  end

  EXPECTED_WEBHOOKS.each do |file, want|
    describe file do
      subject(:event) { WawebNative::Payload.classify(File.binread(File.join(FIXTURES, file))) }

      it "is a frozen Event" do
        expect(event).to be_a(WawebNative::Event)
        expect(event).to be_frozen
      end

      want.each do |key, value|
        it "has #{key} #{value.inspect}" do
          got = key == "from_me" ? event.from_me? : event.public_send(key)
          if SYMBOL_WEBHOOK_FIELDS.include?(key)
            expect(got).to be_a(Symbol)
            got = got.to_s
          end
          expect(got).to eq(value)
        end
      end

      it "returns UTF-8 strings" do
        strings = event.to_h.values.flatten.grep(String)
        expect(strings).to all(satisfy { |s| s.encoding == Encoding::UTF_8 && s.valid_encoding? && s.frozen? })
      end
    end
  end
end
