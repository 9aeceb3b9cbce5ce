# frozen_string_literal: true

module Compat
  module Chatwoot
    # Chatwoot's own Retry on a reply that failed partway (a Scenario mixin, run among the
    # replies): POST .../messages/:id/retry empties content_attributes and runs SendReplyJob
    # again; the photo already on WhatsApp must not go twice.
    module RetrySteps
      private

      # The failure names the photo delivered and the PDF not; the retry sends the PDF alone.
      def partial_then_retry
        id, error = reply_failing_at_pdf
        m = retry_rest(id)
        ids = m["content_attributes"]["waweb_sent_ids"]
        t.check(ids.is_a?(Array) && ids.size == 2 && ids.first == m["source_id"], "ids #{ids.inspect}")
        "failed with \"#{error[0, 70]}...\"; Retry sent contract.pdf alone; status #{m['status']}, ids #{ids.size}"
      end

      def two_files
        [["content", "Both documents"], ["message_type", "outgoing"],
         ["attachments[]", StringIO.new(FakeGateway.png), { filename: "scan.png", content_type: "image/png" }],
         ["attachments[]", StringIO.new(ReplySteps::PDF),
          { filename: "contract.pdf", content_type: "application/pdf" }]]
      end

      def replies_url = "#{host}/api/v1/accounts/#{@account_id}/conversations/#{conversation_id}/messages"

      def reply_failing_at_pdf
        gateway.clear_requests
        gateway.fail_next(:server_error, after: 1)
        response = request(:post, replies_url, headers: admin_headers, form: two_files)
        t.check(response.code == "200", "HTTP #{response.code}: #{response.body[0, 200]}")
        id = json(response)["id"]
        error = failure_of(id)
        t.check(error.start_with?("The text and scan.png were delivered; contract.pdf was not"), error)
        paths = gateway.requests.map(&:path)
        t.check(paths == %w[/send/image /send/file], "gateway got #{paths}")
        [id, error]
      end

      def failure_of(id)
        failed = wait_for("the send of message #{id} to fail") do
          probe.call("message_by_id", id).then { |m| m if m["status"] == "failed" }
        end
        failed["content_attributes"]["external_error"].to_s
      end

      def retry_rest(id)
        gateway.clear_requests
        retried = request(:post, "#{replies_url}/#{id}/retry", headers: admin_headers)
        t.check(retried.code == "200", "retry: HTTP #{retried.code}: #{retried.body[0, 200]}")
        m = sent(id)
        again = gateway.requests.select { |r| r.path.start_with?("/send/") }
                       .map { |r| [r.path, r.files.map(&:filename)] }
        t.check(again == [["/send/file", ["contract.pdf"]]], "the retry sent #{again}")
        m
      end
    end
  end
end
