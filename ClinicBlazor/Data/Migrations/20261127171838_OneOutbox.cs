using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBlazor.Data.Migrations
{
    /// <inheritdoc />
    public partial class OneOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "OutboxMessageId",
                table: "SmsCreditLedger",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "AttemptCount",
                table: "OutboxMessage",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "LeaseUntilUtc",
                table: "OutboxMessage",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "NextAttemptAtUtc",
                table: "OutboxMessage",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProtectedLink",
                table: "OutboxMessage",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "WaitingFor",
                table: "NoticeDelivery",
                type: "TEXT",
                maxLength: 20,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_SmsCreditLedger_OutboxMessageId",
                table: "SmsCreditLedger",
                column: "OutboxMessageId");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessage_State",
                table: "OutboxMessage",
                column: "State");

            // Held deliveries were recognised by their sentence: they stay held, now by a code.
            migrationBuilder.Sql("""
                UPDATE "NoticeDelivery" SET "WaitingFor" = 'EmailSettings' WHERE "State" = 'Retrying' AND "Reason" = 'waiting for the email settings to be fixed';
                UPDATE "NoticeDelivery" SET "WaitingFor" = 'SmsSettings' WHERE "State" = 'Retrying' AND "Reason" = 'waiting for the SMS settings to be fixed';
                """);

            // A test SMS's charge had delivery 0 and its Outbox row's id as the attempt: it now points at the row.
            migrationBuilder.Sql("""
                UPDATE "SmsCreditLedger" SET "OutboxMessageId" = "AttemptId", "AttemptId" = NULL, "DeliveryId" = NULL WHERE "DeliveryId" = 0;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                UPDATE "SmsCreditLedger" SET "DeliveryId" = 0, "AttemptId" = "OutboxMessageId" WHERE "OutboxMessageId" IS NOT NULL;
                """);

            migrationBuilder.DropIndex(
                name: "IX_SmsCreditLedger_OutboxMessageId",
                table: "SmsCreditLedger");

            migrationBuilder.DropIndex(
                name: "IX_OutboxMessage_State",
                table: "OutboxMessage");

            migrationBuilder.DropColumn(
                name: "OutboxMessageId",
                table: "SmsCreditLedger");

            migrationBuilder.DropColumn(
                name: "AttemptCount",
                table: "OutboxMessage");

            migrationBuilder.DropColumn(
                name: "LeaseUntilUtc",
                table: "OutboxMessage");

            migrationBuilder.DropColumn(
                name: "NextAttemptAtUtc",
                table: "OutboxMessage");

            migrationBuilder.DropColumn(
                name: "ProtectedLink",
                table: "OutboxMessage");

            migrationBuilder.DropColumn(
                name: "WaitingFor",
                table: "NoticeDelivery");
        }
    }
}
