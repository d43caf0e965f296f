using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBlazor.Data.Migrations
{
    /// <inheritdoc />
    public partial class SmsDelivery : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "SmsPausedAtUtc",
                table: "Practitioner",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SmsPausedReason",
                table: "Practitioner",
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SmsReference",
                table: "NoticeDelivery",
                type: "TEXT",
                maxLength: 10,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Body",
                table: "DeliveryAttempt",
                type: "TEXT",
                maxLength: 400,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Charged",
                table: "DeliveryAttempt",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateIndex(
                name: "IX_NoticeDelivery_ProviderId",
                table: "NoticeDelivery",
                column: "ProviderId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_NoticeDelivery_ProviderId",
                table: "NoticeDelivery");

            migrationBuilder.DropColumn(
                name: "SmsPausedAtUtc",
                table: "Practitioner");

            migrationBuilder.DropColumn(
                name: "SmsPausedReason",
                table: "Practitioner");

            migrationBuilder.DropColumn(
                name: "SmsReference",
                table: "NoticeDelivery");

            migrationBuilder.DropColumn(
                name: "Body",
                table: "DeliveryAttempt");

            migrationBuilder.DropColumn(
                name: "Charged",
                table: "DeliveryAttempt");
        }
    }
}
