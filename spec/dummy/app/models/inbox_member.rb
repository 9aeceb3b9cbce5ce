# frozen_string_literal: true

# Chatwoot's InboxMember: an agent assigned to an inbox (its round-robin hooks are left out).
class InboxMember < ApplicationRecord
  belongs_to :user
  belongs_to :inbox

  validates :user_id, uniqueness: { scope: :inbox_id }
end
