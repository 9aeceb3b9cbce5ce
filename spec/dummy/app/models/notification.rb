# frozen_string_literal: true

class Notification < ApplicationRecord
  enum :notification_type, { conversation_creation: 1, conversation_assignment: 2, assigned_conversation_new_message: 3,
                             conversation_mention: 4, participating_conversation_new_message: 5 }

  belongs_to :user
  belongs_to :primary_actor, polymorphic: true
  belongs_to :secondary_actor, polymorphic: true, optional: true
end
