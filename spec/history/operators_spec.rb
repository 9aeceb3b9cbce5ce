# frozen_string_literal: true

require_relative "history_helper"
require_relative "../operators/operators_helper"

# Where operators start and watch an import: the management API and the connection
# page, the console, rake, the doctor, and the automatic start after the first login.
RSpec.describe "History import for operators", :history, :operators do
  let(:account) { create_account }
  let(:admin) { create_member(account) }
  let(:inbox) { create_gateway_inbox(gateway, account: account) }
  let(:base) { "/api/v1/accounts/#{account.id}/inboxes/#{inbox.id}/whatsapp_web" }

  before do
    gateway.store_message("6281234567890@s.whatsapp.net", id: "OP1", timestamp: ago(600), content: "one")
    gateway.store_message("6281234567890@s.whatsapp.net", id: "OP2", timestamp: ago(500), content: "two")
  end

  it "POST import queues the job (queue low); status then shows its progress" do
    post "#{base}/import", JSON.generate(days: 3), api_headers(admin)
    expect(last_response.status).to eq(200)
    expect(json_body["import"]).to include("state" => "queued", "messages" => 0)
    expect(sidekiq_jobs("low").map { |job| job["wrapped"] }).to eq(["WawebNative::History::ImportJob"])
    expect(WawebNative::History::ImportState.find_by(inbox_id: inbox.id).days).to eq(3)

    drain_sidekiq
    get "#{base}/status", nil, api_headers(admin)
    expect(json_body["import"]).to include("state" => "done", "chats_done" => 1, "chats_total" => 1, "messages" => 2,
                                           "error" => nil)
    expect(json_body["import"]["finished_at"]).to match(/\A\d{4}-\d\d-\d\dT/)
  end

  it "refuses days outside 1..365 with a sentence, and agents altogether" do
    post "#{base}/import", JSON.generate(days: 0), api_headers(admin)
    expect([last_response.status, json_body["kind"]]).to eq([422, "invalid_days"])
    post "#{base}/import", JSON.generate(days: 7), api_headers(create_member(account, role: :agent))
    expect(last_response.status).to eq(403)
    expect(WawebNative::History::ImportState.count).to eq(0)
  end

  it "starts by itself at the first logged-in status when provider_config import_days is set, once" do
    inbox.channel.update!(provider_config: inbox.channel.provider_config.merge("import_days" => 2))
    expect(WawebNative.status(inbox)[:import]).to include(state: "queued")
    drain_sidekiq
    expect(Message.count).to eq(2)
    expect(WawebNative.status(inbox)[:import]).to include(state: "done")
    expect(sidekiq_jobs("low")).to be_empty # no second import
  end

  it "does not start by itself without import_days (or with 0)" do
    inbox.channel.update!(provider_config: inbox.channel.provider_config.merge("import_days" => 0))
    expect(WawebNative.status(inbox)[:import]).to be_nil
    expect(sidekiq_jobs("low")).to be_empty
  end

  it "rake waweb:import runs it here and says how it ended; the doctor reports it" do
    out = StringIO.new
    expect(WawebNative::Operators::Tasks.import(inbox.id.to_s, "7", out: out)).to be(true)
    expect(out.string).to include("Importing the last 7 days of inbox #{inbox.id}", "Done: 1/1 chats, 2 messages")
    report = StringIO.new
    WawebNative.doctor(inbox, out: report)
    expect(report.string).to include("[OK  ] history import: done: 1/1 chats, 2 messages")
  end

  it "rake waweb:import stops on a gateway that fails and says to run it again" do
    gateway.fail_messages_page("6281234567890@s.whatsapp.net", offset: 0, times: 3)
    out = StringIO.new
    expect(WawebNative::Operators::Tasks.import(inbox.id.to_s, "7", out: out)).to be(false)
    expect(out.string).to include("Stopped: ", "Run the task again to resume.")
    report = StringIO.new
    WawebNative.doctor(inbox, out: report)
    expect(report.string).to include("[WARN] history import: stopped at 0/1 chats")
  end

  it "the connection page offers the import and shows its progress" do
    get "/whatsapp_web/inboxes/#{inbox.id}/connect", nil, api_headers(admin)
    expect(last_response.body).to include('id="import-form"', 'id="import-days"', 'id="import-status"')
  end
end
