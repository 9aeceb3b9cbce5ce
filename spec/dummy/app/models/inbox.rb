# frozen_string_literal: true

class Inbox < ApplicationRecord
  belongs_to :account
  belongs_to :channel, polymorphic: true, dependent: :destroy

  has_many :contact_inboxes, dependent: :destroy
  has_many :contacts, through: :contact_inboxes
  has_many :conversations, dependent: :destroy
  has_many :messages, dependent: :destroy
  has_many :inbox_members, dependent: :destroy
  has_many :members, through: :inbox_members, source: :user

  validates :name, presence: true

  def whatsapp?
    channel_type == "Channel::Whatsapp"
  end

  def inbox_type
    channel.name
  end
end
