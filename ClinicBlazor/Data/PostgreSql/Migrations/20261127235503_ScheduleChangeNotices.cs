using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBlazor.Data.PostgreSql.Migrations
{
    /// <summary>
    /// Moves and new bookings as notice kinds (existing notices are cancellations), the practitioners' two
    /// new choices (off), the clinic's patient messages (email on, SMS off) and the email held for a patient's SMS.
    /// </summary>
    public partial class ScheduleChangeNotices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "NotifyOfMoves",
                table: "Practitioner",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "NotifyOfNewBookings",
                table: "Practitioner",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "FallbackForMessageId",
                table: "OutboxMessage",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "TellPatientsByEmail",
                table: "Clinic",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<bool>(
                name: "TellPatientsBySms",
                table: "Clinic",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "CancellationNotice",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Cancellation");

            migrationBuilder.AddColumn<string>(
                name: "OtherPractitionerName",
                table: "CancellationNotice",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "PreviousStartUtc",
                table: "CancellationNotice",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessage_FallbackForMessageId",
                table: "OutboxMessage",
                column: "FallbackForMessageId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxMessage_FallbackForMessageId",
                table: "OutboxMessage");

            migrationBuilder.DropColumn(
                name: "NotifyOfMoves",
                table: "Practitioner");

            migrationBuilder.DropColumn(
                name: "NotifyOfNewBookings",
                table: "Practitioner");

            migrationBuilder.DropColumn(
                name: "FallbackForMessageId",
                table: "OutboxMessage");

            migrationBuilder.DropColumn(
                name: "TellPatientsByEmail",
                table: "Clinic");

            migrationBuilder.DropColumn(
                name: "TellPatientsBySms",
                table: "Clinic");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "CancellationNotice");

            migrationBuilder.DropColumn(
                name: "OtherPractitionerName",
                table: "CancellationNotice");

            migrationBuilder.DropColumn(
                name: "PreviousStartUtc",
                table: "CancellationNotice");
        }
    }
}
