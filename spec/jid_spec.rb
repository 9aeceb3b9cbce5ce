# frozen_string_literal: true

# The task fixes this path (spec/jid_spec.rb), not spec/waweb_native/jid_spec.rb.
RSpec.describe WawebNative::JID do # rubocop:disable RSpec/SpecFilePathFormat
  user = "5511987654321@s.whatsapp.net" # for the tables; examples use let(:canonical_user)
  let(:canonical_user) { "5511987654321@s.whatsapp.net" }

  describe ".sanitize" do
    {
      "+5511987654321" => user,
      "5511987654321" => user,
      " +55 (11) 98765-4321 " => user,
      "+55.11.98765.4321" => user,
      "whatsapp:+5511987654321" => user,
      "WhatsApp:5511987654321" => user,
      "5511987654321@s.whatsapp.net" => user,
      "5511987654321@c.us" => user,
      "5511987654321@S.WhatsApp.Net" => user,
      "5511987654321@C.US" => user,
      "5511987654321:12@s.whatsapp.net" => user,
      "5511987654321.1:12@s.whatsapp.net" => user,
      "120363025246125486@g.us" => "120363025246125486@g.us",
      "+120363025246125486@g.us" => "120363025246125486@g.us",
      "  120363025246125486@g.us  " => "120363025246125486@g.us",
      "5511987654321-1612345678@g.us" => "5511987654321-1612345678@g.us",
      "120363025246125486" => "120363025246125486@g.us",
      "1234567890123456" => "1234567890123456@g.us",
      "123456789012345" => "123456789012345@s.whatsapp.net",
      "1234567" => "1234567@s.whatsapp.net",
      "123456789012345@lid" => "123456789012345@lid",
      "123456789012345:3@lid" => "123456789012345@lid",
      "123456789012345@LID" => "123456789012345@lid",
      "status@broadcast" => "status@broadcast",
      "1612345678@broadcast" => "1612345678@broadcast",
      "120363123456789012@newsletter" => "120363123456789012@newsletter"
    }.each do |input, canonical|
      it "turns #{input.inspect} into #{canonical}" do
        expect(described_class.sanitize(input)).to eq(canonical)
      end
    end

    it "returns a UTF-8 String" do
      expect(described_class.sanitize("+5511987654321").encoding).to eq(Encoding::UTF_8)
    end

    it "accepts a JID object" do
      expect(described_class.sanitize(described_class.parse("5511987654321:3@c.us"))).to eq(canonical_user)
    end
  end

  describe "errors" do
    {
      "" => "is empty",
      "   " => "is empty",
      "+" => "has no digits",
      "abc" => "is not a phone number",
      "55 11 abc" => "is not a phone number",
      "++5511987654321" => "is not a phone number",
      "0811234567" => "is not an international phone number: it must start with the country code",
      "123456" => "is too short",
      "abc@s.whatsapp.net" => "the part before the @ must be phone digits",
      "55119a7654321@s.whatsapp.net" => "the part before the @ must be phone digits",
      "5511987654321@@s.whatsapp.net" => "has more than one @",
      "a@b@s.whatsapp.net" => "has more than one @",
      "@s.whatsapp.net" => "has an empty user part",
      "+@s.whatsapp.net" => "has an empty user part",
      "5511987654321@" => "has an empty server",
      "5511987654321@example.com" => "has an unknown server",
      "5511987654321@whatsapp.net" => "has an unknown server",
      "5511987654321\u00002" => "contains a NUL byte",
      "\u0665\u0665\u0661\u0661\u0669\u0668\u0667\u0666\u0665\u0664\u0663\u0662\u0661" => "contains non-ASCII",
      "５５１１９８７６５４３２１" => "contains non-ASCII",
      "0811234567@s.whatsapp.net" => "is not an international phone number",
      "1234567890123456@s.whatsapp.net" => "is too long for a phone number",
      "123456789012345678901" => "is too long",
      "5511987654321:@s.whatsapp.net" => "has an invalid device",
      "5511987654321:x@s.whatsapp.net" => "has an invalid device",
      "5511987654321:70000@s.whatsapp.net" => "has an invalid device",
      "5511987654321.@s.whatsapp.net" => "has an invalid agent",
      "123456789@g.us" => "is not a group JID",
      "120363025246125486:2@g.us" => "is not a group JID",
      "abc@g.us" => "is not a group JID",
      "abc@lid" => "is not a LID",
      "news@newsletter" => "is not a newsletter JID",
      "someone@broadcast" => "is not a broadcast JID"
    }.each do |input, reason|
      it "rejects #{input.inspect} naming the input and saying #{reason.inspect}" do
        expect { described_class.sanitize(input) }.to raise_error(WawebNative::InvalidJID) { |e|
          expect(e.message).to start_with(input.inspect)
          expect(e.message).to include(reason)
        }
        expect { described_class.parse(input) }.to raise_error(WawebNative::InvalidJID)
      end
    end

    it "gives the support agent's message for a national number" do
      expect { described_class.sanitize("0811234567") }.to raise_error(
        WawebNative::InvalidJID,
        '"0811234567" is not an international phone number: it must start with the country code'
      )
    end

    it "rejects nil as InvalidJID, not TypeError" do
      expect { described_class.parse(nil) }.to raise_error(WawebNative::InvalidJID, /\Anil is empty/)
      expect { described_class.sanitize(nil) }.to raise_error(WawebNative::InvalidJID)
      expect { described_class.phone_variants(nil) }.to raise_error(WawebNative::InvalidJID)
    end

    it "raises TypeError for other non-Strings" do
      expect { described_class.parse(5_511_987_654_321) }.to raise_error(TypeError)
    end

    it "is rescuable as WawebNative::Error and as ArgumentError" do
      expect { described_class.parse("abc") }.to raise_error(WawebNative::Error)
      expect { described_class.parse("abc") }.to raise_error(ArgumentError)
    end

    it "accepts 256 bytes and rejects 257, quoting a truncated, escaped input" do
      padded = "#{' ' * 243}5511987654321"
      expect(padded.bytesize).to eq(256)
      expect(described_class.sanitize(padded)).to eq(canonical_user)
      long = "\n#{padded}"
      expect { described_class.sanitize(long) }.to raise_error(WawebNative::InvalidJID) { |e|
        expect(e.message).to include("(257 bytes) is too long")
        expect(e.message).to start_with('"\n')
        expect(e.message.length).to be < 200
      }
    end

    it "escapes control bytes and broken UTF-8 in the message" do
      expect { described_class.parse("55\x01\xff".b) }.to raise_error(WawebNative::InvalidJID) { |e|
        expect(e.message).to include('\x01')
        expect(e.message).to include('\xFF')
      }
    end
  end

  describe ".parse" do
    subject(:jid) { described_class.parse("5511987654321.1:12@S.WhatsApp.Net") }

    it "is a frozen value with every part" do
      expect(jid).to be_frozen
      expect(Ractor.shareable?(jid)).to be(true)
      expect(jid.user).to eq("5511987654321")
      expect(jid.agent).to eq(1)
      expect(jid.device).to eq(12)
      expect(jid.server).to eq("s.whatsapp.net")
      expect(jid.kind).to eq(:user)
      expect(jid.to_s).to eq(canonical_user)
      expect(jid.inspect).to eq("#<WawebNative::JID #{canonical_user} agent=1 device=12>")
    end

    it "has nil device and agent when absent" do
      plain = described_class.parse("+5511987654321")
      expect(plain.device).to be_nil
      expect(plain.agent).to be_nil
      expect(plain.inspect).to eq("#<WawebNative::JID #{canonical_user}>")
    end

    it "cannot be built with new or mutated" do
      expect { described_class.new }.to raise_error(NoMethodError)
      expect { jid.instance_variable_set(:@x, 1) }.to raise_error(FrozenError)
      expect(jid.dup).to equal(jid)
    end

    it "returns the same object for a JID" do
      expect(described_class.parse(jid)).to equal(jid)
    end

    it "gives Chatwoot's forms for a user" do
      expect(jid.phone).to eq("+5511987654321")
      expect(jid.source_id).to eq("5511987654321")
      expect(jid.identifier).to eq(canonical_user)
      expect(jid).not_to be_group
      expect(jid).not_to be_lid
      expect(jid).to be_user
    end

    it "gives Chatwoot's forms for a group" do
      group = described_class.parse("120363025246125486@g.us")
      expect(group.kind).to eq(:group)
      expect(group).to be_group
      expect(group.phone).to be_nil
      expect(group.source_id).to eq("120363025246125486@g.us")
      expect(group.identifier).to eq("120363025246125486@g.us")
    end

    it "never turns a LID into a phone number" do
      lid = described_class.parse("123456789012345:3@lid")
      expect(lid.kind).to eq(:lid)
      expect(lid).to be_lid
      expect(lid.device).to eq(3)
      expect(lid.phone).to be_nil
      expect(lid.source_id).to eq("123456789012345@lid")
      expect(lid.identifier).to eq("123456789012345@lid")
    end

    it "knows broadcast and newsletter JIDs never become contacts" do
      status = described_class.parse("status@broadcast")
      channel = described_class.parse("120363123456789012@newsletter")
      expect([status.kind, channel.kind]).to eq(%i[broadcast newsletter])
      expect([status.phone, channel.phone, status.identifier, channel.identifier]).to all(be_nil)
      expect(status).to be_broadcast
      expect(channel).to be_newsletter
    end

    it "reads an old group id (creator-time)" do
      old = described_class.parse("5511987654321-1612345678@g.us")
      expect(old.user).to eq("5511987654321-1612345678")
      expect(old).to be_group
    end

    it "reads more than 15 bare digits as a group, as the gateway does" do
      expect(described_class.parse("120363025246125486").kind).to eq(:group)
    end
  end

  describe "equality" do
    let(:a) { described_class.parse("5511987654321:12@c.us") }
    let(:b) { described_class.parse(" +55 (11) 98765-4321 ") }

    it "compares the person, not the linked device" do
      expect(a).to eq(b)
      expect(a).to eql(b)
      expect(a.hash).to eq(b.hash)
      expect({ a => 1 }[b]).to eq(1)
      expect([a, b].uniq.size).to eq(1)
    end

    it "tells different JIDs apart" do
      other = described_class.parse("551187654321")
      lid = described_class.parse("5511987654321@lid")
      expect(a).not_to eq(other)
      expect(a).not_to eq(lid)
      expect(a.hash).not_to eq(lid.hash)
      expect(a).not_to eq(canonical_user)
    end
  end

  describe ".phone_variants" do
    {
      "5511987654321" => %w[5511987654321 551187654321],
      "+55 (11) 8765-4321" => %w[551187654321 5511987654321],
      "551176543210@s.whatsapp.net" => %w[551176543210 5511976543210],
      "5521961234567:4@c.us" => %w[5521961234567 552161234567],
      "552161234567" => %w[552161234567 5521961234567],
      "551132654321" => %w[551132654321],
      "551151234567" => %w[551151234567],
      "5511887654321" => %w[5511887654321],
      "5510987654321" => %w[5510987654321],
      "5505987654321" => %w[5505987654321],
      "14155552671" => %w[14155552671],
      "4915112345678" => %w[4915112345678],
      "120363025246125486@g.us" => %w[120363025246125486@g.us],
      "123456789012345@lid" => %w[123456789012345@lid]
    }.each do |input, forms|
      it "gives #{forms.inspect} for #{input.inspect}" do
        expect(described_class.phone_variants(input)).to eq(forms)
      end
    end

    it "round-trips: each form's variant is the other" do
      forms = described_class.phone_variants("5511987654321")
      expect(described_class.phone_variants(forms.last)).to eq(forms.reverse)
    end

    it "is also an instance method" do
      expect(described_class.parse("551187654321").phone_variants).to eq(%w[551187654321 5511987654321])
    end
  end
end
